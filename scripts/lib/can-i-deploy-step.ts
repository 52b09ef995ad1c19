import { PROVIDER } from '../../src/shared/provider';
import type { BrokerStep, StepContext } from './broker-step';
import { cliJson, explainCliRun, runPactCli } from './pact-cli';
import { refuseCredentialsIn, screened, WITHHELD } from './secrets';
import { checkCliValue, cliOptions } from './script';

/** The part of the broker's matrix answer (GET /matrix, through `pact broker can-i-deploy -o json`) we read. */
export interface MatrixAnswer {
  summary: { deployable: boolean | null; reason: string };
  matrix: {
    consumer?: { name?: string; version?: { number?: string } };
    provider?: { name?: string; version?: { number?: string } | null };
    verificationResult?: { success?: boolean } | null;
  }[];
}

export type Question = { answer: MatrixAnswer } | { failure: string };

/** Time as the wait sees it: injectable, so tests of the wait never sleep. */
export type Clock = { now(): number; sleep(ms: number): Promise<void> };
const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export function canIDeployArgs(consumer: string, version: string, environment: string, brokerUrl: string): string[] {
  // The CLI pairs --pacticipant with the --version after it by scanning for those exact words: these stay separate words.
  const pacticipant = checkCliValue(consumer, { name: 'the pacticipant', showValue: true });
  const selector = [
    '--pacticipant',
    pacticipant,
    '--version',
    checkCliValue(version, { name: 'the version', showValue: false }),
  ];
  return [
    'broker',
    'can-i-deploy',
    ...selector,
    ...cliOptions({ 'to-environment': environment, 'broker-base-url': brokerUrl, output: 'json' }),
  ];
}

const isUnknown = (question: Question | undefined) =>
  question !== undefined && 'answer' in question && question.answer.summary.deployable === null;

/** Asks about every consumer at once, then about those still unknown after each interval: one wait for all, never past the deadline. */
export async function askUntilKnown(
  consumers: string[],
  askOne: (consumer: string) => Promise<Question>,
  options: { retries: number; intervalSeconds: number; deadline: number },
  deps: { clock: Clock; log: (line: string) => void },
): Promise<Map<string, Question>> {
  const answers = new Map<string, Question>();
  const askAll = async (names: string[]) =>
    (await Promise.all(names.map(askOne))).forEach((question, index) => answers.set(names[index] as string, question));
  await askAll(consumers);
  for (let attempt = 1; attempt <= options.retries; attempt += 1) {
    const unknown = consumers.filter((consumer) => isUnknown(answers.get(consumer)));
    if (unknown.length === 0) break;
    if (deps.clock.now() + options.intervalSeconds * 1000 >= options.deadline) {
      deps.log(`  ${unknown.join(', ')}: still unknown, and no time left to wait within PACT_BROKER_TIMEOUT_SECONDS`);
      break;
    }
    for (const consumer of unknown)
      deps.log(
        `  ${consumer}: verification results not known yet; asking again in ${options.intervalSeconds} s (${attempt} of ${options.retries})`,
      );
    await deps.clock.sleep(options.intervalSeconds * 1000);
    await askAll(unknown);
  }
  return answers;
}

/** A "yes" counts only with the broker's evidence: a matrix row in which the aggregator verified this consumer version. */
export function verdict(answer: MatrixAnswer, consumer: string, version: string): { yes: boolean; text: string } {
  const { deployable } = answer.summary;
  if (deployable !== true) return { yes: false, text: deployable === false ? 'no' : 'unknown (counts as no)' };
  const rows = answer.matrix.filter(
    (row) =>
      row.consumer?.name === consumer && row.consumer.version?.number === version && row.provider?.name === PROVIDER,
  );
  if (rows.length === 0)
    return {
      yes: false,
      text: `no: the broker holds no pact of ${consumer} version ${version} with ${PROVIDER}, so its "yes" checked nothing (publish first: npm run publish:pact)`,
    };
  if (
    !rows.some((row) => typeof row.provider?.version?.number === 'string' && row.verificationResult?.success === true)
  ) {
    return {
      yes: false,
      text: `no: the broker said deployable, but its matrix shows no successful verification of ${consumer} version ${version} by a version of ${PROVIDER} (a row lacks the provider version or the verification result), so its "yes" is no evidence`,
    };
  }
  return { yes: true, text: 'yes' };
}

/** The matrix as the CLI's text output shows it: a table of who verified what. */
function table(answer: MatrixAnswer): string[] {
  const rows = [
    ['CONSUMER', 'C.VERSION', 'PROVIDER', 'P.VERSION', 'SUCCESS?'],
    ...answer.matrix.map(({ consumer, provider, verificationResult }) =>
      [
        consumer?.name,
        consumer?.version?.number,
        provider?.name,
        provider?.version?.number ?? '???',
        verificationResult?.success ?? '???',
      ].map(String),
    ),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join(' | ')
      .trimEnd(),
  );
}

/** can-i-deploy for every consumer of `step`; exit 0 only when every answer is a yes with its evidence. */
export async function canIDeployStep(
  step: BrokerStep,
  environment: string,
  wait: { retries: number; intervalSeconds: number },
  deps: StepContext & { clock?: Clock },
): Promise<number> {
  const { broker, version } = step;
  const clock = deps.clock ?? systemClock;
  refuseCredentialsIn([{ name: '--to-environment', value: environment }], broker);
  const deadline = clock.now() + broker.timeoutSeconds * 1000;
  deps.log(`Can consumer version ${version.number} be deployed to ${environment}? Asking ${broker.baseUrl}`);
  const consumers = step.consumers.map((each) => each.consumer.pacticipant);
  // One question through the CLI: its JSON answer, or why there is none.
  const askOne = async (consumer: string): Promise<Question> => {
    const result = await (deps.run ?? runPactCli)(
      canIDeployArgs(consumer, version.number, environment, broker.baseUrl),
      broker,
      deadline,
    );
    if (result.code !== 0 || result.timedOut)
      return { failure: await explainCliRun(result, broker, 'can-i-deploy', deadline) };
    const answer = cliJson(result) as Partial<MatrixAnswer> | undefined;
    const deployable = answer?.summary?.deployable;
    if (
      typeof answer?.summary?.reason === 'string' &&
      (deployable === null || typeof deployable === 'boolean') &&
      Array.isArray(answer.matrix)
    )
      return { answer: answer as MatrixAnswer };
    return { failure: 'the pact CLI exited 0 without a can-i-deploy answer, so this counts as no.' };
  };
  const answers = await askUntilKnown(consumers, askOne, { ...wait, deadline }, { clock, log: deps.log });
  const refused = consumers.filter((consumer) => {
    const question = answers.get(consumer) as Question;
    if ('failure' in question) return (deps.log(`  ✗ ${consumer}: ${question.failure}`), true);
    const { yes, text } = verdict(question.answer, consumer, version.number);
    deps.log(`  ${yes ? '✓' : '✗'} ${consumer}: ${text}`);
    for (const line of [...table(question.answer), ...question.answer.summary.reason.split('\n')])
      deps.log(`      ${screened(line, broker) ?? WITHHELD}`);
    return !yes;
  });
  if (refused.length > 0) {
    deps.error(`✗ Computer says no: ${refused.join(', ')} cannot be deployed to ${environment}.`);
    return 1;
  }
  deps.log(`✓ Computer says yes: every consumer can be deployed to ${environment}.`);
  return 0;
}
