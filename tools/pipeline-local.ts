/**
 * npm run pipeline:local [-- --allow-remote-broker]
 * The whole consumer-driven loop against the broker PACT_BROKER_URL names (default: the local one of
 * `npm run broker:start`): contract tests, publish, the real pact verifier against the REFERENCE aggregator (not
 * the real service) with its results published, that reference recorded as deployed, can-i-deploy,
 * record-deployment. One line per step; exit 0 only when can-i-deploy said yes and the deployment is recorded.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { readBrokerConfig } from '../scripts/lib/broker-config';
import { brokerRequest, explainBrokerAnswer } from '../scripts/lib/broker-http';
import { cliEnvironment } from '../scripts/lib/pact-cli';
import { git } from '../scripts/lib/git';
import { PROJECT_ROOT } from '../scripts/lib/project';
import { ConfigError, EXIT, loadEnv, parseFlags, runScript } from '../scripts/lib/script';
import { PROVIDER } from '../src/shared/provider';

const USAGE = 'npm run pipeline:local [-- --allow-remote-broker]';
const ENVIRONMENT = 'production';
const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);

/** A step that failed: main prints it as one line and exits 1, after the reference aggregator has stopped. */
class StepFailed extends Error {}
function fail(line: string): never {
  throw new StepFailed(line);
}

/**
 * The reference aggregator as a process of its own (tools/reference-aggregator.ts run directly): its first line is its
 * URL. It stops when told, or when its stdin closes because we are gone.
 */
async function startReferenceAggregator(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'reference-aggregator.ts')], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const closed = once(child, 'close');
  const [url] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), closed])) as [unknown];
  if (typeof url !== 'string') throw new Error('The reference aggregator stopped before it listened.');
  const close = async () => {
    child.kill('SIGTERM');
    await closed;
  };
  return { url, stateSetupUrl: `${url}/_pact/provider-states`, close };
}

runScript(async (argv) => {
  const flags = parseFlags(argv, { 'allow-remote-broker': { type: 'boolean' } }, USAGE);
  const env = loadEnv();
  // The same checks as the pipeline steps (URL, credentials, retries), with the local broker as the default.
  const config = readBrokerConfig(
    env.PACT_BROKER_URL || env.PACT_BROKER_BASE_URL ? env : { ...env, PACT_BROKER_URL: 'http://localhost:9292' },
  );
  const url = config.baseUrl;
  // It records the reference aggregator as deployed to production: never on a team's broker by accident.
  if (!['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname) && !flags['allow-remote-broker']) {
    throw new ConfigError(
      `PACT_BROKER_URL names ${url}, not a broker on this machine: this records a reference provider as deployed to ${ENVIRONMENT} there. Add -- --allow-remote-broker if that broker is a throwaway.`,
    );
  }
  // Our verbs read .env themselves; the pact CLI gets the credentials in its environment, never in argv.
  const ours = { ...process.env, PACT_BROKER_URL: url, PACT_DO_NOT_TRACK: 'true' };
  const pact = { ...cliEnvironment(config), PACT_BROKER_BASE_URL: url };
  // Named so that nobody takes the results for the real aggregator's.
  const providerVersion = `reference-aggregator-${git(PROJECT_ROOT, 'rev-parse', '--short', 'HEAD')?.trim() || 'local'}`;

  let step = 0;
  /** Runs one step; its output is shown only when it fails. */
  const check = async (title: string, command: string, args: string[], childEnv: NodeJS.ProcessEnv) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const [code] = (await once(child, 'close')) as [number | null];
    step += 1;
    if (code !== 0) {
      console.log(output.trimEnd().split('\n').slice(-25).join('\n'));
      fail(`${step}/6 ${title}: failed (exit ${code}). Broker UI: ${url}`);
    }
    console.log(`✓ ${step}/6 ${title}`);
  };
  const deadline = () => Date.now() + config.timeoutSeconds * 1000;

  const aggregator = await startReferenceAggregator({ PATH: process.env.PATH, HOME: process.env.HOME });
  try {
    await check('contract tests passed', bin('jest'), ['tests/contracts'], ours);
    await check('pacts published', bin('tsx'), ['scripts/publish-pact.ts'], ours);
    const { port } = new URL(aggregator.url);
    const selector = JSON.stringify({ latest: true });
    const verifier = [
      'verifier',
      '--provider-name',
      PROVIDER,
      '--hostname',
      '127.0.0.1',
      '--port',
      port,
      '--state-change-url',
      aggregator.stateSetupUrl,
    ];
    const publish = [
      '--consumer-version-selectors',
      selector,
      '--publish',
      '--provider-version',
      providerVersion,
      '--provider-branch',
      'reference-aggregator',
      '--no-colour',
    ];
    await check(
      `verified against the reference aggregator (provider version ${providerVersion}, not the real service)`,
      bin('pact'),
      [...verifier, ...publish],
      pact,
    );
    const listed = await brokerRequest(config, 'GET', '/environments', deadline());
    if (!('status' in listed) || listed.status !== 200)
      fail(
        `The broker did not list its environments (GET /environments): ${explainBrokerAnswer(listed, config, 'record-deployment', 0)}`,
      );
    if (!JSON.stringify(listed.body).includes(`"name":"${ENVIRONMENT}"`)) {
      const created = await brokerRequest(config, 'POST', '/environments', deadline(), {
        name: ENVIRONMENT,
        production: true,
      });
      if (!('status' in created) || created.status !== 201)
        fail(
          `The broker did not create the environment ${ENVIRONMENT}: ${explainBrokerAnswer(created, config, 'record-deployment', 0)}`,
        );
      console.log(`✓ environment ${ENVIRONMENT} created (it was missing)`);
    }
    const deployProvider = [
      'broker',
      'record-deployment',
      '--pacticipant',
      PROVIDER,
      '--version',
      providerVersion,
      '--environment',
      ENVIRONMENT,
    ];
    await check(`the reference aggregator recorded as deployed to ${ENVIRONMENT}`, bin('pact'), deployProvider, pact);
    await check(
      `can-i-deploy to ${ENVIRONMENT}: yes`,
      bin('tsx'),
      ['scripts/can-i-deploy.ts', '--to-environment', ENVIRONMENT, '--retry-while-unknown', '0'],
      ours,
    );
    await check(
      `deployment to ${ENVIRONMENT} recorded`,
      bin('tsx'),
      ['scripts/record-deployment.ts', '--environment', ENVIRONMENT],
      ours,
    );
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    console.error(`✗ ${error.message}`);
    return EXIT.failed;
  } finally {
    await aggregator.close();
  }
  console.log(`Broker UI: ${url} (log in as ${config.auth?.kind === 'basic' ? config.auth.username : 'your token'})`);
  return EXIT.ok;
});
