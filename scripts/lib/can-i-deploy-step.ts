import { PROVIDER } from '../../src/shared/provider';
import type { BrokerConfig } from './broker-config';
import { brokerLink, brokerRequest, explainBrokerAnswer } from './broker-http';
import { screenedContext, type BrokerStep, type StepContext } from './broker-step';
import { refuseCredentialsIn } from './secrets';
import { count } from './script';

type Link = { href?: unknown; name?: unknown };

/** A row of the broker's matrix, as far as we read it. */
export interface MatrixRow {
  consumer?: { name?: string; version?: { number?: string } };
  provider?: { name?: string; version?: { number?: string; environments?: { name?: unknown }[] } | null };
  verificationResult?: { success?: boolean; _links?: { self?: Link } } | null;
  ignored?: boolean;
}

/** The part of the broker's matrix answer (GET /matrix, the request `pact broker can-i-deploy` makes) we read. */
export interface MatrixAnswer {
  summary: { deployable: boolean | null; reason: string };
  matrix: MatrixRow[];
}

export type Question = { answer: MatrixAnswer } | { failure: string };

/** Time as the wait sees it: injectable, so tests of the wait never sleep. */
export type Clock = { now(): number; sleep(ms: number): Promise<void> };
const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** The pact CLI's own question (docs/deploying.md, can-i-deploy), asked with our request, which never follows a redirect. */
export function matrixPath(consumer: string, version: string, environment: string): string {
  const query = [
    ['q[][pacticipant]', consumer],
    ['q[][version]', version],
    ['latestby', 'cvpv'],
    ['environment', environment],
  ];
  return `/matrix?${query.map(([name, value]) => `${name}=${encodeURIComponent(value as string)}`).join('&')}`;
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

/** The rows about this consumer version and the aggregator, considered by the broker (not ignored). */
const rowsAbout = (answer: MatrixAnswer, consumer: string, version: string) =>
  answer.matrix.filter(
    (row) =>
      row.ignored !== true &&
      row.consumer?.name === consumer &&
      row.consumer.version?.number === version &&
      row.provider?.name === PROVIDER,
  );

/** A "yes" counts only with the broker's evidence: matrix rows in which a version of the aggregator deployed in the environment verified this consumer version. */
export function verdict(
  answer: MatrixAnswer,
  consumer: string,
  version: string,
  environment: string,
): { yes: boolean; text: string } {
  const { deployable } = answer.summary;
  if (deployable !== true) return { yes: false, text: deployable === false ? 'no' : 'unknown (counts as no)' };
  const rows = rowsAbout(answer, consumer, version);
  if (rows.length === 0)
    return {
      yes: false,
      text: `no: the broker holds no pact of ${consumer} version ${version} with ${PROVIDER}, so its "yes" checked nothing (publish first: npm run publish:pact)`,
    };
  const unverified = rows.find(
    (row) => typeof row.provider?.version?.number !== 'string' || row.verificationResult?.success !== true,
  );
  if (unverified) {
    return {
      yes: false,
      text: `no: the broker said deployable, but its matrix shows no successful verification of ${consumer} version ${version} by a version of ${PROVIDER} (a row lacks the provider version or the verification result), so its "yes" is no evidence`,
    };
  }
  const elsewhere = rows.find(
    (row) => !(row.provider?.version?.environments ?? []).some((each) => each.name === environment),
  );
  if (elsewhere)
    return {
      yes: false,
      text: `no: the broker said deployable, but ${PROVIDER} version ${String(elsewhere.provider?.version?.number)} in its matrix is not deployed to ${environment}, so its "yes" is not about ${environment}`,
    };
  return { yes: true, text: 'yes' };
}

type Interactions = { interactions?: { _id?: unknown }[]; messages?: { _id?: unknown }[] };
type Verification = {
  providerName?: unknown;
  providerApplicationVersion?: unknown;
  success?: unknown;
  testResults?: unknown;
};

/**
 * Why the verifications in `rows` are no evidence for the whole pact, or undefined when they are: each, read from the
 * broker, is a success of that aggregator version, and where it lists the interactions it checked (testResults), every
 * interaction of this version's pact is among them, passed. A verifier run with a filter (PACT_DESCRIPTION…) checks part.
 */
export async function partialVerification(
  rows: MatrixRow[],
  consumer: string,
  version: string,
  broker: BrokerConfig,
  deadline: number,
): Promise<string | undefined> {
  const pactPath = `/pacts/provider/${encodeURIComponent(PROVIDER)}/consumer/${encodeURIComponent(consumer)}/version/${encodeURIComponent(version)}`;
  const pact = await brokerRequest(broker, 'GET', pactPath, deadline);
  if (!('status' in pact) || pact.status !== 200)
    return `reading its pact failed: ${explainBrokerAnswer(pact, broker, 'can-i-deploy', deadline)}`;
  const content = (pact.body ?? {}) as Interactions & { _links?: { 'pb:consumer-version'?: Link } };
  if (content._links?.['pb:consumer-version']?.name !== version)
    return `the broker's pact at ${pactPath} is not the pact of version ${version}`;
  const ids = [...(content.interactions ?? []), ...(content.messages ?? [])].map((each) => each._id);
  for (const row of rows) {
    const providerVersion = row.provider?.version?.number;
    const link = brokerLink(broker, row.verificationResult?._links?.self?.href);
    if ('refused' in link) return `its verification by ${PROVIDER} ${providerVersion} is not read: ${link.refused}`;
    const read = await brokerRequest(broker, 'GET', link.path, deadline);
    if (!('status' in read) || read.status !== 200)
      return `reading its verification failed: ${explainBrokerAnswer(read, broker, 'can-i-deploy', deadline)}`;
    const verification = (read.body ?? {}) as Verification;
    if (
      verification.providerName !== PROVIDER ||
      verification.providerApplicationVersion !== providerVersion ||
      verification.success !== true
    )
      return `the verification the matrix links for ${PROVIDER} ${providerVersion} is not a success of that version`;
    if (!Array.isArray(verification.testResults)) continue;
    const passed = new Set(
      (verification.testResults as { interactionId?: unknown; success?: unknown }[])
        .filter((result) => result.success === true)
        .map((result) => result.interactionId),
    );
    const unchecked = ids.filter((id) => typeof id !== 'string' || !passed.has(id)).length;
    if (unchecked > 0)
      return `${PROVIDER} ${providerVersion} verified only ${count(ids.length - unchecked, 'interaction')} of ${ids.length} in this version's pact (a verifier run with PACT_DESCRIPTION or PACT_PROVIDER_STATE set checks only part), so its "yes" does not cover the contract`;
  }
  return undefined;
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

/** can-i-deploy for every consumer of `step`; exit 0 only when every answer is a yes with its evidence, all from PACT_BROKER_URL. */
export async function canIDeployStep(
  step: BrokerStep,
  environment: string,
  wait: { retries: number; intervalSeconds: number },
  context: StepContext & { clock?: Clock },
): Promise<number> {
  const { broker, version } = step;
  const deps = screenedContext(context, broker);
  const clock = context.clock ?? systemClock;
  refuseCredentialsIn([{ name: '--to-environment', value: environment }], broker);
  const deadline = clock.now() + broker.timeoutSeconds * 1000;
  deps.log(`Can consumer version ${version.number} be deployed to ${environment}? Asking ${broker.baseUrl}`);
  const consumers = step.consumers.map((each) => each.consumer.pacticipant);
  // One question, asked as the pact CLI asks it but with our own request: a redirect is a failure, never followed.
  const askOne = async (consumer: string): Promise<Question> => {
    const answer = await brokerRequest(broker, 'GET', matrixPath(consumer, version.number, environment), deadline);
    if (!('status' in answer) || answer.status !== 200)
      return { failure: explainBrokerAnswer(answer, broker, 'can-i-deploy', deadline) };
    const body = answer.body as Partial<MatrixAnswer> | undefined;
    const deployable = body?.summary?.deployable;
    if (
      typeof body?.summary?.reason === 'string' &&
      (deployable === null || typeof deployable === 'boolean') &&
      Array.isArray(body.matrix)
    )
      return { answer: body as MatrixAnswer };
    return { failure: `the broker's answer to ${answer.path} is not a can-i-deploy answer, so this counts as no.` };
  };
  const answers = await askUntilKnown(consumers, askOne, { ...wait, deadline }, { clock, log: deps.log });
  const judged = await Promise.all(
    consumers.map(async (consumer) => {
      const question = answers.get(consumer) as Question;
      if ('failure' in question) return { consumer, yes: false, lines: [`  ✗ ${consumer}: ${question.failure}`] };
      let { yes, text } = verdict(question.answer, consumer, version.number, environment);
      if (yes) {
        const rows = rowsAbout(question.answer, consumer, version.number);
        const partial = await partialVerification(rows, consumer, version.number, broker, deadline).catch(
          (error: Error) => `unexpected failure: ${error.message}`,
        );
        if (partial) [yes, text] = [false, `no: ${partial}`];
      }
      const details = [...table(question.answer), ...question.answer.summary.reason.split('\n')];
      return {
        consumer,
        yes,
        lines: [`  ${yes ? '✓' : '✗'} ${consumer}: ${text}`, ...details.map((line) => `      ${line}`)],
      };
    }),
  );
  for (const { lines } of judged) for (const line of lines) deps.log(line);
  const refused = judged.filter(({ yes }) => !yes).map(({ consumer }) => consumer);
  if (refused.length > 0) {
    deps.error(`✗ Computer says no: ${refused.join(', ')} cannot be deployed to ${environment}.`);
    return 1;
  }
  deps.log(`✓ Computer says yes: every consumer can be deployed to ${environment}.`);
  return 0;
}
