import { PROVIDER } from '../../src/shared/provider';
import type { BrokerConfig } from './broker-config';
import type { BrokerStep } from './broker-step';
import { checkCliValue, cliOption, escapeRegExp } from './cli-values';
import type { Clock } from './clock';
import { ConfigError } from './errors';
import { cliErrorLines, cliLines, explainBrokerFailure, refuseCredentialsIn, runPactCli, screened, type CliRun } from './pact-cli';

/* can-i-deploy and record-deployment: what they ask the CLI, and how they read its answers. */

export type CliRunner = (args: string[], config: BrokerConfig, deadline: number) => Promise<CliRun>;

export interface StepDeps {
  clock: Clock;
  log: (line: string) => void;
  error: (line: string) => void;
  run?: CliRunner;
}

/** A broker environment or application instance named by a flag: checked like every value the CLI gets. */
export function nameFlag(value: string | undefined, flag: string, usage: string, example = 'production'): string {
  if (value === undefined || value.trim() === '') throw new ConfigError(`${flag} is missing its name, e.g. ${flag} ${example}. Usage: ${usage}`);
  checkCliValue(value, { name: flag, showValue: true });
  if (!/^[\w.-]+$/.test(value)) throw new ConfigError(`${flag} ${JSON.stringify(value)} is not a usable name: use letters, digits, ".", "_" or "-".`);
  return value;
}

/** The part of the broker's matrix answer we read (GET /matrix). */
export interface MatrixAnswer {
  summary: { deployable: boolean | null; reason: string };
  matrix: {
    consumer: { name: string; version: { number: string } };
    provider: { name: string; version: { number: string } | null };
    verificationResult: { success: boolean } | null;
  }[];
}

function isMatrixAnswer(value: unknown): value is MatrixAnswer {
  const answer = value as Partial<MatrixAnswer> | null;
  return (
    typeof answer?.summary === 'object' &&
    answer.summary !== null &&
    typeof answer.summary.reason === 'string' &&
    (answer.summary.deployable === null || typeof answer.summary.deployable === 'boolean') &&
    Array.isArray(answer.matrix)
  );
}

export type Question = { answer: MatrixAnswer } | { failure: string; details: string[] };

export function canIDeployArgs(consumer: string, version: string, environment: string, brokerUrl: string): string[] {
  return [
    'broker', 'can-i-deploy',
    // The CLI pairs --pacticipant with the --version after it by scanning its raw arguments for those exact
    // words: in `--name=value` form it finds no selector. Both values were checked (no leading "-").
    '--pacticipant', checkCliValue(consumer, { name: 'the pacticipant', showValue: true }),
    '--version', checkCliValue(version, { name: 'the version', showValue: false }),
    cliOption('to-environment', environment),
    cliOption('broker-base-url', brokerUrl),
    cliOption('output', 'json'),
  ];
}

/** One question through `pact broker can-i-deploy -o json` (the raw answer, with its reason). */
export async function ask(consumer: string, version: string, environment: string, broker: BrokerConfig, deadline: number, run: CliRunner = runPactCli): Promise<Question> {
  const result = await run(canIDeployArgs(consumer, version, environment, broker.baseUrl), broker, deadline);
  if (result.code !== 0 || result.timedOut) return { failure: await explainBrokerFailure(result, broker, 'can-i-deploy'), details: cliErrorLines(result, broker) };
  try {
    const answer: unknown = JSON.parse(result.stdout);
    if (isMatrixAnswer(answer)) return { answer };
  } catch {
    // not JSON: below
  }
  // Exit 0 without a matrix is no answer (the CLI's help exits 0, too); its text is not shown.
  return { failure: 'the pact CLI exited 0 without a can-i-deploy answer, so this counts as no.', details: [] };
}

const isUnknown = (question: Question | undefined) => question !== undefined && 'answer' in question && question.answer.summary.deployable === null;

export interface WaitOptions {
  retries: number;
  intervalSeconds: number;
  /** Epoch ms by which every question, and the wait between them, is over. */
  deadline: number;
}

/**
 * Asks about every consumer at once, then, while some answers are unknown, waits one interval and asks again
 * about those only: one bounded wait for all consumers, never one per consumer in series, and never past
 * the deadline.
 */
export async function askUntilKnown(consumers: string[], askOne: (consumer: string) => Promise<Question>, options: WaitOptions, deps: Pick<StepDeps, 'clock' | 'log'>): Promise<Map<string, Question>> {
  const answers = new Map<string, Question>();
  const askAll = async (names: string[]) => {
    const results = await Promise.all(names.map(askOne));
    names.forEach((name, index) => answers.set(name, results[index] as Question));
  };
  await askAll(consumers);
  for (let attempt = 1; attempt <= options.retries; attempt += 1) {
    const unknown = consumers.filter((consumer) => isUnknown(answers.get(consumer)));
    if (unknown.length === 0) break;
    const intervalMs = options.intervalSeconds * 1000;
    if (deps.clock.now() + intervalMs >= options.deadline) {
      deps.log(`  ${unknown.join(', ')}: still unknown, and no time left to wait within PACT_BROKER_TIMEOUT_SECONDS`);
      break;
    }
    for (const consumer of unknown) deps.log(`  ${consumer}: verification results not known yet; asking again in ${options.intervalSeconds} s (${attempt} of ${options.retries})`);
    await deps.clock.sleep(intervalMs);
    await askAll(unknown);
  }
  return answers;
}

function table(answer: MatrixAnswer): string[] {
  const rows = [
    ['CONSUMER', 'C.VERSION', 'PROVIDER', 'P.VERSION', 'SUCCESS?'],
    ...answer.matrix.map((row) => [
      String(row.consumer?.name),
      String(row.consumer?.version?.number),
      String(row.provider?.name),
      row.provider?.version?.number ?? '???',
      row.verificationResult === null || row.verificationResult === undefined ? '???' : String(row.verificationResult.success),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ').trimEnd());
}

/**
 * Whether the matrix holds a row for this consumer version's pact with the aggregator. Every consumer of this
 * repo has one, so a "yes" without such a row (a version created in the broker but never published to) only
 * says there was nothing to check.
 */
export function coversPact(answer: MatrixAnswer, consumer: string, version: string): boolean {
  return answer.matrix.some((row) => row.consumer?.name === consumer && row.consumer.version?.number === version && row.provider?.name === PROVIDER);
}

/** can-i-deploy for every consumer of `step`; exit 0 only if every answer is a yes that covers its pact. */
export async function canIDeploy(step: BrokerStep, environment: string, wait: Omit<WaitOptions, 'deadline'>, deps: StepDeps): Promise<number> {
  const { broker, version } = step;
  refuseCredentialsIn([{ name: '--to-environment', value: environment }], broker);
  const deadline = deps.clock.now() + broker.timeoutSeconds * 1000;
  deps.log(`Can consumer version ${version.number} be deployed to ${environment}? Asking ${broker.baseUrl}`);
  const consumers = step.consumers.map((each) => each.consumer.pacticipant);
  const answers = await askUntilKnown(consumers, (consumer) => ask(consumer, version.number, environment, broker, deadline, deps.run), { ...wait, deadline }, deps);
  const refused: string[] = [];
  for (const consumer of consumers) {
    const question = answers.get(consumer) as Question;
    if ('failure' in question) {
      deps.log(`  ✗ ${consumer}: ${question.failure}`);
      for (const line of question.details) deps.log(`      ${line}`);
      refused.push(consumer);
      continue;
    }
    const { deployable, reason } = question.answer.summary;
    const uncovered = deployable === true && !coversPact(question.answer, consumer, version.number);
    const yes = deployable === true && !uncovered;
    const verdict = uncovered
      ? `no: the broker holds no pact of ${consumer} version ${version.number} with ${PROVIDER}, so its "yes" checked nothing (publish first: npm run publish:pact)`
      : deployable === true ? 'yes' : deployable === false ? 'no' : 'unknown (counts as no)';
    deps.log(`  ${yes ? '✓' : '✗'} ${consumer}: ${verdict}`);
    for (const line of [...table(question.answer), ...reason.split('\n')]) deps.log(`      ${screened(line, broker) ?? '(a line withheld: it contained a broker credential)'}`);
    if (!yes) refused.push(consumer);
  }
  if (refused.length > 0) {
    deps.error(`✗ Computer says no: ${refused.join(', ')} cannot be deployed to ${environment}.`);
    return 1;
  }
  deps.log(`✓ Computer says yes: every consumer can be deployed to ${environment}.`);
  return 0;
}

export function recordDeploymentArgs(consumer: string, version: string, environment: string, brokerUrl: string, instance?: string): string[] {
  return [
    'broker', 'record-deployment',
    cliOption('pacticipant', consumer),
    cliOption('version', version),
    cliOption('environment', environment),
    cliOption('broker-base-url', brokerUrl),
    ...(instance ? [cliOption('application-instance', instance)] : []),
  ];
}


/** Whether the CLI's output confirms the recording (an exit 0 alone does not). */
export function confirmsDeployment(stdout: string, consumer: string, version: string, environment: string): boolean {
  const confirmation = new RegExp(`Recorded deployment of ${escapeRegExp(consumer)} version ${escapeRegExp(version)} to ${escapeRegExp(environment)} environment`);
  return cliLines(stdout).some((line) => confirmation.test(line));
}

/** Records every consumer's version as deployed, all at once under one deadline; exit 0 only if each was confirmed. */
export async function recordDeployments(step: BrokerStep, environment: string, instance: string | undefined, dryRun: boolean, deps: StepDeps): Promise<number> {
  const { broker, version } = step;
  const run = deps.run ?? runPactCli;
  const consumers = step.consumers.map((each) => each.consumer.pacticipant);
  refuseCredentialsIn([{ name: '--environment', value: environment }, { name: '--application-instance', value: instance }], broker);
  deps.log(`Recording consumer version ${version.number} as deployed to ${environment}${instance ? ` (${instance})` : ''} in ${broker.baseUrl}`);
  if (dryRun) {
    for (const consumer of consumers) deps.log(`  would record: pact ${recordDeploymentArgs(consumer, version.number, environment, broker.baseUrl, instance).join(' ')}`);
    deps.log('Dry run: nothing was sent to the broker.');
    return 0;
  }
  const deadline = deps.clock.now() + broker.timeoutSeconds * 1000;
  // Every consumer is recorded even if one fails: each deployment happened, and the broker should know it.
  const results = await Promise.all(consumers.map((consumer) => run(recordDeploymentArgs(consumer, version.number, environment, broker.baseUrl, instance), broker, deadline)));
  const failed: string[] = [];
  for (const [index, consumer] of consumers.entries()) {
    const result = results[index] as CliRun;
    if (result.code === 0 && !result.timedOut && confirmsDeployment(result.stdout, consumer, version.number, environment)) {
      deps.log(`  ✓ ${consumer} ${version.number} recorded as deployed to ${environment}`);
      continue;
    }
    failed.push(consumer);
    if (result.code === 0 && !result.timedOut) {
      deps.log(`  ✗ ${consumer}: the pact CLI exited 0 but did not confirm the recording, so it is not counted as recorded.`);
    } else if (/\b404 Not Found\b/.test(result.stdout)) {
      // The version's page is the CLI's first request, so a wrong path prefix in PACT_BROKER_URL looks the same.
      deps.log(`  ✗ ${consumer}: the broker does not know ${consumer} version ${version.number} (404): publish its pacts first (npm run publish:pact), or check PACT_BROKER_URL's path prefix.`);
    } else {
      deps.log(`  ✗ ${consumer}: ${await explainBrokerFailure(result, broker, 'record-deployment')}`);
      for (const line of cliErrorLines(result, broker)) deps.log(`      ${line}`);
    }
  }
  if (failed.length > 0) {
    deps.error(`✗ Recording failed for ${failed.join(', ')}.`);
    return 1;
  }
  deps.log(`Recorded ${consumers.length} deployments to ${environment}.`);
  return 0;
}
