/**
 * npm run can-i-deploy -- --to-environment <env> [--retry-while-unknown <times>] [--retry-interval <seconds>]
 * Asks the Pact Broker whether each consumer's version can be deployed to the environment.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerConfig } from './lib/broker-config';
import { prepareBrokerStep } from './lib/broker-step';
import { describeBrokerFailure, runPactCli } from './lib/pact-cli';
import { EXIT, environmentFlag, parseFlags, runScript, wholeNumberFlag } from './lib/script';

const USAGE = 'npm run can-i-deploy -- --to-environment <env> [--retry-while-unknown <times>] [--retry-interval <seconds>]';

/** The part of the broker's matrix answer we read (GET /matrix). */
interface MatrixAnswer {
  summary: { deployable: boolean | null; reason: string };
  matrix: {
    consumer: { name: string; version: { number: string } };
    provider: { name: string; version: { number: string } | null };
    verificationResult: { success: boolean } | null;
  }[];
}

function isMatrixAnswer(value: unknown): value is MatrixAnswer {
  const answer = value as Partial<MatrixAnswer> | null;
  return typeof answer?.summary === 'object' && typeof answer.summary.reason === 'string' && Array.isArray(answer.matrix);
}

type Question = { answer: MatrixAnswer } | { failure: string };

/** One question to the broker, through `pact broker can-i-deploy -o json` (the raw answer, with its reason). */
async function ask(consumer: string, version: string, environment: string, broker: BrokerConfig): Promise<Question> {
  const args = ['broker', 'can-i-deploy', '--pacticipant', consumer, '--version', version, '--to-environment', environment, '--broker-base-url', broker.baseUrl, '--output', 'json'];
  const run = await runPactCli(args, broker, Date.now() + broker.timeoutSeconds * 1000);
  if (run.code !== 0) return { failure: describeBrokerFailure(run, broker) };
  try {
    const answer: unknown = JSON.parse(run.output);
    if (isMatrixAnswer(answer)) return { answer };
  } catch {
    // fall through
  }
  return { failure: `the broker's answer was not a can-i-deploy matrix: ${run.output.trim().slice(0, 200)}` };
}

function table(answer: MatrixAnswer): string[] {
  const rows = [
    ['CONSUMER', 'C.VERSION', 'PROVIDER', 'P.VERSION', 'SUCCESS?'],
    ...answer.matrix.map((row) => [
      row.consumer.name,
      row.consumer.version.number,
      row.provider.name,
      row.provider.version?.number ?? '???',
      row.verificationResult === null ? '???' : String(row.verificationResult.success),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ').trimEnd());
}

runScript(async (argv) => {
  const flags = parseFlags(argv, { 'to-environment': { type: 'string' }, 'retry-while-unknown': { type: 'string' }, 'retry-interval': { type: 'string' } }, USAGE);
  const environment = environmentFlag(flags['to-environment'], '--to-environment', USAGE);
  // While the provider's verification is still running the answer is "unknown": ask again, but not forever.
  const retries = wholeNumberFlag(flags['retry-while-unknown'], '--retry-while-unknown', 6, 0, 60);
  const intervalSeconds = wholeNumberFlag(flags['retry-interval'], '--retry-interval', 10, 1, 300);
  const { broker, version, consumers } = prepareBrokerStep();

  console.log(`Can consumer version ${version.number} be deployed to ${environment}? Asking ${broker.baseUrl}`);
  const refused: string[] = [];
  for (const consumer of consumers.map((each) => each.consumer.pacticipant)) {
    let question = await ask(consumer, version.number, environment, broker);
    for (let attempt = 1; attempt <= retries && 'answer' in question && question.answer.summary.deployable === null; attempt += 1) {
      console.log(`  ${consumer}: verification results not known yet; asking again in ${intervalSeconds} s (${attempt} of ${retries})`);
      await sleep(intervalSeconds * 1000);
      question = await ask(consumer, version.number, environment, broker);
    }
    if ('failure' in question) {
      console.log(`  ✗ ${consumer}: ${question.failure}`);
      refused.push(consumer);
      continue;
    }
    const { deployable, reason } = question.answer.summary;
    console.log(`  ${deployable ? '✓' : '✗'} ${consumer}: ${deployable ? 'yes' : deployable === false ? 'no' : 'unknown (counts as no)'}`);
    for (const line of table(question.answer)) console.log(`      ${line}`);
    for (const line of reason.split('\n')) console.log(`      ${line}`);
    if (deployable !== true) refused.push(consumer);
  }

  if (refused.length > 0) {
    console.error(`✗ Computer says no: ${refused.join(', ')} cannot be deployed to ${environment}.`);
    return EXIT.failed;
  }
  console.log(`✓ Computer says yes: every consumer can be deployed to ${environment}.`);
  return EXIT.ok;
});
