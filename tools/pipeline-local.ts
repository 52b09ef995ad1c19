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
import { BROKER_VARIABLES, readBrokerConfig, readSetting, type BrokerConfig } from '../scripts/lib/broker-config';
import { brokerRequest, explainBrokerAnswer, findEnvironment } from '../scripts/lib/broker-http';
import {
  childEnvironment,
  onInterrupt,
  refusePactFilters,
  runChild,
  stopOnSignals,
} from '../scripts/lib/child-process';
import { resolveConsumerVersion } from '../scripts/lib/consumer-version';
import { cliEnvironment, pactCliBinary } from '../scripts/lib/pact-cli';
import { shown } from '../scripts/lib/pact-files';
import { git } from '../scripts/lib/git';
import { PROJECT_ROOT, pactsDir } from '../scripts/lib/project';
import { ConfigError, EXIT, loadEnv, parseFlags, runScript, type Env } from '../scripts/lib/script';
import { screened, WITHHELD } from '../scripts/lib/secrets';
import { PROVIDER } from '../src/shared/provider';

const USAGE = 'npm run pipeline:local [-- --allow-remote-broker]';
const ENVIRONMENT = 'production';
const STEPS = 6;
/** The contract tests' bound: minutes on a busy machine at most. */
const CONTRACT_TESTS_SECONDS = 300;
/** What a broker step gets beyond PACT_BROKER_TIMEOUT_SECONDS, which bounds its requests: starting the process. */
const START_SECONDS = 15;
/** How long a stopped step gets to stop its own children and remove its files before it is killed. */
const GRACE_MS = 5_000;

/** A step that failed: main prints it as one line and exits 1, after the reference aggregator has stopped. */
class StepFailed extends Error {}
function fail(line: string): never {
  throw new StepFailed(line);
}

/**
 * The reference aggregator as a process of its own (tools/reference-aggregator.ts run directly): its first line is its
 * URL. It stops when told, on a signal to pipeline:local, or when its stdin closes because we are gone.
 */
async function startReferenceAggregator(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'reference-aggregator.ts')], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const closed = once(child, 'close');
  // Told twice (its stdin ends, and SIGTERM), then killed with its group if it has not ended within the grace.
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // It ended meanwhile.
      }
    }, GRACE_MS);
    await closed;
    clearTimeout(killer);
  };
  const release = onInterrupt(close);
  const [url] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), closed])) as [unknown];
  if (typeof url !== 'string') throw new Error('The reference aggregator stopped before it listened.');
  return {
    url,
    stateSetupUrl: `${url}/_pact/provider-states`,
    close: async () => {
      release();
      await close();
    },
  };
}

/** What our verbs get: the allowlist, and the broker settings and pipeline variables already read (no .env again). */
function verbEnvironment(env: Env, config: BrokerConfig): NodeJS.ProcessEnv {
  const auth = config.auth;
  return childEnvironment(env, {
    DOTENV_CONFIG_PATH: '/dev/null',
    PACT_BROKER_URL: config.baseUrl,
    BROKER_USERNAME: auth?.kind === 'basic' ? auth.username : undefined,
    BROKER_PASSWORD: auth?.kind === 'basic' ? auth.password : undefined,
    PACT_BROKER_TOKEN: auth?.kind === 'token' ? auth.token : undefined,
    PACT_BROKER_HTTP_RETRIES: String(config.attempts),
    PACT_BROKER_TIMEOUT_SECONDS: String(config.timeoutSeconds),
    PACT_DIR: env.PACT_DIR,
    GIT_COMMIT: env.GIT_COMMIT,
    GIT_BRANCH: env.GIT_BRANCH,
    // publish:pact records the main branch from these (scripts/lib/branches.ts).
    MAIN_BRANCH: env.MAIN_BRANCH,
    REPOSITORY_URL: env.REPOSITORY_URL,
  });
}

// A signal ends the step with 128 + its number, after stopping what the step started.
stopOnSignals();
runScript(async (argv) => {
  const flags = parseFlags(argv, { 'allow-remote-broker': { type: 'boolean' } }, USAGE);
  const env = loadEnv();
  // It publishes verification results: a filter would publish part of the contract as the whole.
  refusePactFilters(env, 'pipeline:local');
  // The same checks as the pipeline steps (URL, credentials, retries), with the local broker as the default.
  const urlSetting = readSetting(env, BROKER_VARIABLES.url);
  const config = readBrokerConfig(urlSetting ? env : { ...env, PACT_BROKER_URL: 'http://localhost:9292' });
  const url = config.baseUrl;
  // It records the reference aggregator as deployed to production: never on a team's broker by accident.
  if (!['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname) && !flags['allow-remote-broker']) {
    throw new ConfigError(
      `${urlSetting?.variable ?? 'PACT_BROKER_URL'} names ${url}, not a broker on this machine: this records a reference provider as deployed to ${ENVIRONMENT} there. Add -- --allow-remote-broker if that broker is a throwaway.`,
    );
  }
  // Step 2 would refuse a dirty tree after step 1 had rewritten the pacts: the same checks first, before anything runs.
  const dir = pactsDir(env, PROJECT_ROOT);
  const version = resolveConsumerVersion(env, dir, PROJECT_ROOT);
  const ours = verbEnvironment(env, config);
  // The verifier and the pact CLI: the allowlist and the broker's settings, nothing else (no Pact filter variable).
  const pact = { ...cliEnvironment(config), PACT_BROKER_BASE_URL: url };
  // Named so that nobody takes the results for the real aggregator's.
  const providerVersion = `reference-aggregator-${git(PROJECT_ROOT, 'rev-parse', '--short', 'HEAD')?.trim() || 'local'}`;
  const brokerBound = config.timeoutSeconds + START_SECONDS;

  let step = 0;
  /** Runs one step within its bound; its output is shown only when it fails. */
  const check = async (
    name: string,
    done: string,
    command: string,
    args: string[],
    childEnv: NodeJS.ProcessEnv,
    boundSeconds: number,
  ) => {
    step += 1;
    const run = await runChild(command, args, {
      cwd: PROJECT_ROOT,
      env: childEnv,
      deadline: Date.now() + boundSeconds * 1000,
      graceMs: GRACE_MS,
    });
    if (run.code === 0 && !run.timedOut) return console.log(`✓ ${step}/${STEPS} ${done}`);
    const lines = `${run.stdout}\n${run.stderr}`.trimEnd().split('\n');
    for (const line of lines.slice(-25)) console.log(screened(line, config) ?? WITHHELD);
    // The step's own last word on why (our verbs end with a ✗ line), without its mark.
    const last = lines
      .map((line) => line.trim())
      .filter((line) => line.startsWith('✗'))
      .at(-1)
      ?.replace(/^✗\s*/, '');
    const why = run.timedOut
      ? `did not finish within ${boundSeconds} s, so it was stopped`
      : run.code === EXIT.badInput
        ? `refused: ${last ?? 'bad input (exit 2)'}`
        : `failed (exit ${run.code ?? 'killed'})${last ? `: ${last}` : ''}`;
    fail(`step ${step}/${STEPS}, ${name}: ${screened(why, config) ?? WITHHELD}`);
  };
  const deadline = () => Date.now() + config.timeoutSeconds * 1000;
  const node = (script: string, ...args: string[]) => ['--import', 'tsx', path.join(PROJECT_ROOT, script), ...args];

  const aggregator = await startReferenceAggregator(childEnvironment(env));
  try {
    await check(
      'contract tests',
      'contract tests passed',
      process.execPath,
      [require.resolve('jest/bin/jest'), 'tests/contracts'],
      childEnvironment(env, { PACT_DIR: env.PACT_DIR, LOG_LEVEL: env.LOG_LEVEL }),
      CONTRACT_TESTS_SECONDS,
    );
    try {
      await check('publish', 'pacts published', process.execPath, node('scripts/publish-pact.ts'), ours, brokerBound);
    } catch (error) {
      // The pacts are this run's, vouched for at a clean HEAD: a hand-run publish takes them as they are.
      console.error(
        `The pacts in ${shown(dir)}/ are this run's, at commit ${version.number.slice(0, 12)}: once the cause is fixed, npm run publish:pact publishes them, or npm run pipeline:local runs every step again.`,
      );
      throw error;
    }
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
      'verify',
      `verified against the reference aggregator (provider version ${providerVersion}, not the real service)`,
      pactCliBinary(),
      [...verifier, ...publish],
      pact,
      brokerBound,
    );
    // Part of step 4: the environment the reference aggregator is recorded in.
    const next = `step ${step + 1}/${STEPS}, record the reference deployment`;
    const environment = await findEnvironment(config, ENVIRONMENT, 'record-deployment', deadline());
    if ('failure' in environment) fail(`${next}: the broker did not list its environments (${environment.failure})`);
    if (environment.uuid === undefined) {
      const created = await brokerRequest(config, 'POST', '/environments', deadline(), {
        name: ENVIRONMENT,
        production: true,
      });
      if (!('status' in created) || created.status !== 201)
        fail(
          `${next}: the broker did not create the environment ${ENVIRONMENT}: ${explainBrokerAnswer(created, config, 'record-deployment', 0)}`,
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
    await check(
      'record the reference deployment',
      `the reference aggregator recorded as deployed to ${ENVIRONMENT}`,
      pactCliBinary(),
      deployProvider,
      pact,
      brokerBound,
    );
    await check(
      'can-i-deploy',
      `can-i-deploy to ${ENVIRONMENT}: yes`,
      process.execPath,
      node('scripts/can-i-deploy.ts', '--to-environment', ENVIRONMENT, '--retry-while-unknown', '0'),
      ours,
      brokerBound,
    );
    await check(
      'record-deployment',
      `deployment to ${ENVIRONMENT} recorded`,
      process.execPath,
      node('scripts/record-deployment.ts', '--environment', ENVIRONMENT),
      ours,
      brokerBound,
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
