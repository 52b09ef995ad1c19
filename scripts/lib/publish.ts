import { prepareBrokerStep, type BrokerStep } from './broker-step';
import { checkCliValue, cliOption, escapeRegExp } from './cli-values';
import type { Clock } from './clock';
import type { ConsumerVersion } from './consumer-version';
import { dryRunRequested } from './dry-run';
import { ConfigError } from './errors';
import { cliErrorLines, cliLines, explainBrokerFailure, refuseCredentialsIn, runPactCli, screened, type CliRun } from './pact-cli';
import type { PactFile } from './pact-files';
import type { BrokerConfig } from './broker-config';
import { parseFlags } from './script';

/** `--tag` values: each must also be one word, since the CLI takes a comma-separated list. */
export function checkTags(tags: string[]): string[] {
  for (const tag of tags) {
    checkCliValue(tag, { name: '--tag', showValue: true });
    if (!/^[^,\s]+$/.test(tag)) throw new ConfigError(`--tag ${JSON.stringify(tag)} is not a usable tag: give one word per --tag, without commas or spaces.`);
  }
  return tags;
}

/** The CLI's arguments for one pact; every value was checked, and each is passed as `--name=value`. */
export function publishArgs(pact: PactFile, brokerUrl: string, version: ConsumerVersion, tags: string[]): string[] {
  return [
    'broker', 'publish', pact.path,
    cliOption('broker-base-url', brokerUrl),
    cliOption('consumer-app-version', version.number),
    ...(version.branch ? [cliOption('branch', version.branch)] : []),
    ...(tags.length > 0 ? [cliOption('tag', tags.join(','))] : []),
    ...(version.buildUrl ? [cliOption('build-url', version.buildUrl)] : []),
  ];
}


/**
 * Whether the CLI's output confirms that the broker took this pact: an exit 0 alone does not (the CLI
 * exits 0 after printing its help, for one).
 */
export function confirmsPublication(stdout: string, pact: PactFile, version: string): boolean {
  const consumer = escapeRegExp(pact.consumer);
  const provider = escapeRegExp(pact.provider);
  const notice = new RegExp(
    `^(✅ )?Pact (successfully published|successfully republished|with changed content published over existing content|content merged with existing content) for ${consumer} version ${escapeRegExp(version)} and provider ${provider}\\b`,
  );
  // The CLI's own line when the broker's answer lacks the fields it prints notices from.
  const bare = new RegExp(`^✅ Pact published successfully for consumer: ${consumer} against provider: ${provider}$`);
  return cliLines(stdout).some((line) => notice.test(line) || bare.test(line));
}

/** The broker's notices worth showing after a publication: recognised shapes only, each screened. */
export function publicationNotices(stdout: string, config: BrokerConfig): string[] {
  const known = [/^(✅ )?(Created|Updated) \S+ version \S+/, /^(✅ )?Pact (successfully|with changed content|content merged)/, /^View the published pact at https?:\/\/\S+$/, /^⚠️ /];
  return cliLines(stdout)
    .filter((line) => known.some((pattern) => pattern.test(line)))
    .flatMap((line) => screened(line, config) ?? []);
}

export interface PublishDeps {
  clock: Clock;
  log: (line: string) => void;
  error: (line: string) => void;
  run?: (args: string[], config: BrokerConfig, deadline: number) => Promise<CliRun>;
}

/** Publishes each pact in turn under one deadline; stops at the first that fails. Returns the exit code. */
export async function publishPacts(step: BrokerStep, tags: string[], dryRun: boolean, deps: PublishDeps): Promise<number> {
  const { broker, version } = step;
  const pacts = step.consumers.map(({ pact }) => pact);
  const run = deps.run ?? runPactCli;
  refuseCredentialsIn(
    [
      { name: version.branchSource === 'git' ? 'the git branch' : (version.branchSource ?? 'the branch'), value: version.branch },
      { name: 'the build URL', value: version.buildUrl },
      ...tags.map((tag) => ({ name: '--tag', value: tag })),
    ],
    broker,
  );
  const details = [
    `from ${version.numberSource}`,
    version.branch ? `branch ${version.branch}` : 'no branch (set GIT_BRANCH)',
    ...(tags.length > 0 ? [`tags ${tags.join(', ')}`] : []),
  ];
  deps.log(`Publishing ${pacts.length} pact${pacts.length === 1 ? '' : 's'} to ${broker.baseUrl} as consumer version ${version.number} (${details.join(', ')})`);
  if (version.buildUrl) deps.log(`  build ${version.buildUrl}`);

  if (dryRun) {
    for (const pact of pacts) {
      deps.log(`  would publish ${pact.consumer} → ${pact.provider} (${pact.interactions} interactions): pact ${publishArgs(pact, broker.baseUrl, version, tags).join(' ')}`);
    }
    deps.log('Dry run: nothing was sent to the broker.');
    return 0;
  }

  const deadline = deps.clock.now() + broker.timeoutSeconds * 1000;
  for (const [index, pact] of pacts.entries()) {
    const result = await run(publishArgs(pact, broker.baseUrl, version, tags), broker, deadline);
    const confirmed = result.code === 0 && !result.timedOut && confirmsPublication(result.stdout, pact, version.number);
    if (!confirmed) {
      const cause =
        result.code === 0 && !result.timedOut
          ? 'the pact CLI exited 0 but did not confirm the publication, so it is not counted as published.'
          : await explainBrokerFailure(result, broker, 'publish');
      deps.log(`  ✗ ${pact.consumer} → ${pact.provider}: ${cause}`);
      for (const line of cliErrorLines(result, broker)) deps.log(`      ${line}`);
      const unsent = pacts.slice(index + 1).map((rest) => `${rest.consumer} → ${rest.provider}`);
      if (unsent.length > 0) deps.log(`  not sent: ${unsent.join(', ')}`);
      deps.error(`✗ Publishing failed: ${index} of ${pacts.length} pacts published.`);
      return 1;
    }
    deps.log(`  ✓ ${pact.consumer} → ${pact.provider} (${pact.interactions} interactions)`);
    for (const line of publicationNotices(result.stdout, broker)) deps.log(`      ${line}`);
  }
  deps.log(`Published ${pacts.length} of ${pacts.length} pacts as ${version.number}.`);
  return 0;
}

export const PUBLISH_USAGE = 'npm run publish:pact [-- --dry-run] [--tag <tag>]...';

/**
 * `npm run publish:pact <argv>` in the project folder `root`, minus the exit-code mapping of runScript: here
 * rather than in the script so that tests run exactly what the script runs, in-process, with a recording
 * `deps.run`. Returns the exit code; bad input throws a ConfigError.
 */
export async function publishMain(argv: string[], root: string, processEnv: NodeJS.ProcessEnv, deps: PublishDeps): Promise<number> {
  const flags = parseFlags(argv, { 'dry-run': { type: 'boolean' }, tag: { type: 'string', multiple: true } }, PUBLISH_USAGE, processEnv);
  const tags = checkTags(flags.tag ?? []);
  const dryRun = dryRunRequested(flags['dry-run'], processEnv);
  // Everything is checked before the first request: bad input publishes nothing.
  const step = prepareBrokerStep(root, processEnv, { dryRun, notify: deps.error });
  return publishPacts(step, tags, dryRun, deps);
}
