/**
 * npm run publish:pact [-- --dry-run] [--tag <tag>]...
 * Publishes every pact in the pacts folder to the Pact Broker, under the git commit that produced them.
 */
import { prepareBrokerStep } from './lib/broker-step';
import type { ConsumerVersion } from './lib/consumer-version';
import { cliLines, describeBrokerFailure, runPactCli } from './lib/pact-cli';
import type { PactFile } from './lib/pact-files';
import { ConfigError } from './lib/errors';
import { EXIT, parseFlags, runScript } from './lib/script';

const USAGE = 'npm run publish:pact [-- --dry-run] [--tag <tag>]...';

function publishArgs(pact: PactFile, brokerUrl: string, version: ConsumerVersion, tags: string[]): string[] {
  return [
    'broker', 'publish', pact.path,
    '--broker-base-url', brokerUrl,
    '--consumer-app-version', version.number,
    ...(version.branch ? ['--branch', version.branch] : []),
    ...(tags.length > 0 ? ['--tag', tags.join(',')] : []),
    ...(version.buildUrl ? ['--build-url', version.buildUrl] : []),
  ];
}

runScript(async (argv) => {
  const flags = parseFlags(argv, { 'dry-run': { type: 'boolean' }, tag: { type: 'string', multiple: true } }, USAGE);
  const tags = flags.tag ?? [];
  const badTag = tags.find((tag) => !/^[^,\s]+$/.test(tag));
  if (badTag !== undefined) throw new ConfigError(`--tag "${badTag}" is not a usable tag: give one word per --tag, without commas or spaces.`);

  // Everything is checked before the first request: bad input publishes nothing.
  const { broker, version, consumers } = prepareBrokerStep();
  const pacts = consumers.map(({ pact }) => pact);

  const details = [
    `from ${version.numberSource}`,
    version.branch ? `branch ${version.branch}` : 'no branch (set GIT_BRANCH)',
    ...(tags.length > 0 ? [`tags ${tags.join(', ')}`] : []),
  ];
  console.log(`Publishing ${pacts.length} pact${pacts.length === 1 ? '' : 's'} to ${broker.baseUrl} as consumer version ${version.number} (${details.join(', ')})`);
  if (version.buildUrl) console.log(`  build ${version.buildUrl}`);

  if (flags['dry-run']) {
    for (const pact of pacts) {
      console.log(`  would publish ${pact.consumer} → ${pact.provider} (${pact.interactions} interactions): pact ${publishArgs(pact, broker.baseUrl, version, tags).join(' ')}`);
    }
    console.log('Dry run: nothing was sent to the broker.');
    return EXIT.ok;
  }

  const deadline = Date.now() + broker.timeoutSeconds * 1000;
  for (const [index, pact] of pacts.entries()) {
    const run = await runPactCli(publishArgs(pact, broker.baseUrl, version, tags), broker, deadline);
    if (run.code !== 0) {
      console.log(`  ✗ ${pact.consumer} → ${pact.provider}: ${describeBrokerFailure(run, broker)}`);
      for (const line of cliLines(run.output)) console.log(`      ${line}`);
      const unsent = pacts.slice(index + 1).map((rest) => `${rest.consumer} → ${rest.provider}`);
      if (unsent.length > 0) console.log(`  not sent: ${unsent.join(', ')}`);
      console.error(`✗ Publishing failed: ${index} of ${pacts.length} pacts published.`);
      return EXIT.failed;
    }
    console.log(`  ✓ ${pact.consumer} → ${pact.provider} (${pact.interactions} interactions)`);
    for (const line of cliLines(run.output)) console.log(`      ${line}`);
  }
  console.log(`Published ${pacts.length} of ${pacts.length} pacts as ${version.number}.`);
  return EXIT.ok;
});
