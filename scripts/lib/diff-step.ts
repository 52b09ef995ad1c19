import { appendFileSync } from 'node:fs';
import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { brokerRequest, explainBrokerAnswer, findEnvironment, notBrokerRoot, type BrokerAnswer } from './broker-http';
import type { StepContext } from './broker-step';
import { branchFlag } from './branches';
import { partialVerification, type MatrixRow } from './can-i-deploy-step';
import { pairConsumersWithPacts, readPactFiles } from './pact-files';
import {
  comparePacts,
  isUnchanged,
  markdownCode,
  markdownText,
  renderMarkdown,
  renderPlain,
  type ContractDiff,
} from './pact-diff';
import { pactsDir, projectConsumers } from './project';
import { screened, WITHHELD } from './secrets';
import { loadEnv, nameFlag, parseFlags, type Env } from './script';

// npm run diff:pact: what this checkout's pacts change against the broker's latest pacts on the main branch (or
// another), told per consumer for a reviewer. Read-only: it sends GETs only, and publishes nothing.

const USAGE = 'npm run diff:pact [-- --branch <name>] [--environment <name>] [--markdown]';

/** What the broker holds for one consumer, and how its pact compares with ours. */
interface Report {
  consumer: string;
  provider: string;
  /** Undefined when the broker has never seen the consumer, so it knows no main branch either. */
  branch?: string;
  /** The consumer version of the broker's pact on that branch; absent for a new contract. */
  version?: string;
  /** Why there is nothing to compare with. */
  newBecause?: string;
  diff: ContractDiff;
  /** For an unchanged contract: whether the provider deployed in the environment has verified that content. */
  verification?: string;
}

type Outcome = { report: Report } | { failure: string };

const q = encodeURIComponent;
const ok = (answer: BrokerAnswer): answer is Extract<BrokerAnswer, { status: number }> & { status: 200 } =>
  'status' in answer && answer.status === 200;
const named = (value: unknown, name: string) =>
  typeof value === 'object' && value !== null && (value as { name?: unknown }).name === name;
/** A git commit is shown as its first 12 digits, as git does; any other version as it is. */
const shortVersion = (version: string) => (/^[0-9a-f]{40}$/.test(version) ? version.slice(0, 12) : version);

/** The main branch the broker knows for `consumer`, or why there is none; `undefined` branch means it never saw the consumer. */
async function mainBranchOf(
  broker: BrokerConfig,
  consumer: string,
  deadline: number,
): Promise<{ known: false } | { known: true; mainBranch?: string } | { failure: string }> {
  const answer = await brokerRequest(broker, 'GET', `/pacticipants/${q(consumer)}`, deadline);
  if ('status' in answer && answer.status === 404) {
    const problem = await notBrokerRoot(broker, 'diff:pact', deadline);
    return problem ? { failure: problem } : { known: false };
  }
  if (!ok(answer)) return { failure: explainBrokerAnswer(answer, broker, 'diff:pact', deadline) };
  if (!named(answer.body, consumer))
    return {
      failure: `the broker's answer for /pacticipants/${consumer} is not that pacticipant: is PACT_BROKER_URL a Pact Broker?`,
    };
  const mainBranch = (answer.body as { mainBranch?: unknown }).mainBranch;
  return { known: true, mainBranch: typeof mainBranch === 'string' && mainBranch !== '' ? mainBranch : undefined };
}

/** The versions of `provider` the broker shows currently deployed in `environment` (none when it has no such environment). */
async function deployedVersions(
  broker: BrokerConfig,
  provider: string,
  environment: string,
  deadline: number,
): Promise<{ versions: string[] } | { failure: string }> {
  const found = await findEnvironment(broker, environment, 'diff:pact', deadline);
  if ('failure' in found) return found;
  if (found.uuid === undefined) return { versions: [] };
  const path = `/environments/${q(found.uuid)}/deployed-versions/currently-deployed?pacticipant=${q(provider)}`;
  const deployed = await brokerRequest(broker, 'GET', path, deadline);
  if (!ok(deployed)) return { failure: explainBrokerAnswer(deployed, broker, 'diff:pact', deadline) };
  type Deployed = {
    _embedded?: {
      deployedVersions?: { _embedded?: { pacticipant?: { name?: string }; version?: { number?: string } } }[];
    };
  };
  const versions = ((deployed.body as Deployed | undefined)?._embedded?.deployedVersions ?? []).flatMap((each) =>
    each._embedded?.pacticipant?.name === provider && typeof each._embedded.version?.number === 'string'
      ? [each._embedded.version.number]
      : [],
  );
  return { versions: [...new Set(versions)] };
}

/** Whether each provider version deployed in `environment` has verified the content of `consumer` `version`'s pact. */
async function verificationInEnvironment(
  broker: BrokerConfig,
  consumer: string,
  version: string,
  provider: string,
  environment: string,
  deadline: number,
): Promise<{ line: string } | { failure: string }> {
  const deployed = await deployedVersions(broker, provider, environment, deadline);
  if ('failure' in deployed) return deployed;
  if (deployed.versions.length === 0)
    return {
      line: `no version of ${provider} is recorded as deployed in ${environment}, so none has verified it there`,
    };
  type Row = {
    consumer?: { name?: string; version?: { number?: string } };
    provider?: { name?: string; version?: { number?: string } | null } | null;
    verificationResult?: { success?: boolean } | null;
  };
  const lines = await Promise.all(
    deployed.versions.map(async (providerVersion): Promise<{ line: string } | { failure: string }> => {
      // The matrix joins a consumer version's pact content with the verifications of that same content.
      const path = `/matrix?q[][pacticipant]=${q(consumer)}&q[][version]=${q(version)}&q[][pacticipant]=${q(provider)}&q[][version]=${q(providerVersion)}&latestby=cvpv`;
      const answer = await brokerRequest(broker, 'GET', path, deadline);
      if (!ok(answer)) return { failure: explainBrokerAnswer(answer, broker, 'diff:pact', deadline) };
      const matrix = (answer.body as { matrix?: unknown } | undefined)?.matrix;
      // The broker's evidence: a row of exactly this consumer version and this provider version.
      const row = (Array.isArray(matrix) ? (matrix as Row[]) : []).find(
        (each) =>
          each.consumer?.name === consumer &&
          each.consumer.version?.number === version &&
          each.provider?.name === provider &&
          each.provider.version?.number === providerVersion,
      );
      const shown = `the ${provider} version deployed in ${environment} (${providerVersion})`;
      if (row?.verificationResult?.success === true) {
        // As for can-i-deploy: a verification counts only when it covered every interaction (no filtered run).
        const partial = await partialVerification([row as MatrixRow], consumer, version, broker, deadline);
        return {
          line: partial
            ? `${shown} has no verification of all of this content: ${partial}`
            : `${shown} has verified this same content`,
        };
      }
      if (row?.verificationResult?.success === false) return { line: `${shown} failed to verify this same content` };
      return { line: `${shown} has not verified this content yet` };
    }),
  );
  const failure = lines.find((each) => 'failure' in each);
  if (failure) return failure;
  return { line: lines.map((each) => ('line' in each ? each.line : '')).join('; ') };
}

async function compareOne(
  broker: BrokerConfig,
  consumer: string,
  provider: string,
  local: unknown,
  options: { branch?: string; environment: string },
  deadline: number,
): Promise<Outcome> {
  const main = await mainBranchOf(broker, consumer, deadline);
  if ('failure' in main) return main;
  const newContract = (branch: string | undefined, because: string): Outcome => ({
    report: { consumer, provider, branch, newBecause: because, diff: comparePacts(undefined, local) },
  });
  if (!main.known) return newContract(options.branch, `the broker has never seen ${consumer}`);
  const branch = options.branch ?? main.mainBranch;
  if (!branch)
    return {
      failure: `the broker knows no main branch of ${consumer}: publish from the main branch with MAIN_BRANCH set (publish:pact records it), or compare with a branch: npm run diff:pact -- --branch <name>`,
    };
  const where = `/pacts/provider/${q(provider)}/consumer/${q(consumer)}/branch/${q(branch)}/latest`;
  const answer = await brokerRequest(broker, 'GET', where, deadline);
  if ('status' in answer && answer.status === 404)
    return newContract(branch, `the broker has no pact of ${consumer} with ${provider} on ${branch}`);
  if (!ok(answer)) return { failure: explainBrokerAnswer(answer, broker, 'diff:pact', deadline) };
  const held = answer.body as { consumer?: unknown; provider?: unknown; _links?: Record<string, { name?: unknown }> };
  // The broker's evidence: its answer is the pact of this consumer with this provider, from a version it names.
  const version = held?._links?.['pb:consumer-version']?.name;
  if (!named(held?.consumer, consumer) || !named(held?.provider, provider) || typeof version !== 'string')
    return {
      failure: `the broker's answer at ${where} is not a pact of ${consumer} with ${provider} from a named version: is PACT_BROKER_URL a Pact Broker?`,
    };
  const diff = comparePacts(held, local);
  const report: Report = { consumer, provider, branch, version, diff };
  if (!isUnchanged(diff)) return { report };
  const verification = await verificationInEnvironment(
    broker,
    consumer,
    version,
    provider,
    options.environment,
    deadline,
  );
  if ('failure' in verification) return verification;
  return { report: { ...report, verification: verification.line } };
}

function plainReport(report: Report): string[] {
  const against = report.version
    ? `against ${report.branch} (${report.consumer} version ${shortVersion(report.version)})`
    : `against ${report.branch ?? 'the main branch'}: ${report.newBecause}`;
  return [
    `${report.consumer} → ${report.provider}, ${against}`,
    ...renderPlain(report.diff).map((line) => `  ${line}`),
    ...(report.verification ? [`  ${report.verification}`] : []),
  ];
}

function markdownReport(report: Report, broker: BrokerConfig): string[] {
  // Links go only to the configured broker, built from its base URL, never from the broker's own links.
  const pactUrl =
    report.version &&
    `${broker.baseUrl}/pacts/provider/${q(report.provider)}/consumer/${q(report.consumer)}/version/${q(report.version)}`;
  const against = pactUrl
    ? `Against the latest pact on ${markdownCode(report.branch ?? '')}: [${markdownText(report.consumer)} version ${markdownCode(shortVersion(report.version ?? ''))}](${pactUrl}).`
    : `Against ${report.branch ? markdownCode(report.branch) : 'the main branch'}: ${markdownText(report.newBecause ?? '')}.`;
  return [
    `### ${markdownText(report.consumer)} → ${markdownText(report.provider)}`,
    '',
    against,
    '',
    ...renderMarkdown(report.diff),
    ...(report.verification
      ? ['', `${markdownText(report.verification.charAt(0).toUpperCase() + report.verification.slice(1))}.`]
      : []),
    '',
  ];
}

/** `npm run diff:pact <argv>` in the project folder `root`: the script's whole body, so tests run exactly it. */
export async function diffMain(
  argv: string[],
  root: string,
  processEnv: NodeJS.ProcessEnv,
  deps: Pick<StepContext, 'log' | 'error'>,
): Promise<number> {
  const flags = parseFlags(
    argv,
    { branch: { type: 'string' }, environment: { type: 'string' }, markdown: { type: 'boolean' } },
    USAGE,
    processEnv,
  );
  const branch = flags.branch === undefined ? undefined : branchFlag(flags.branch, '--branch', USAGE);
  const environment =
    flags.environment === undefined ? 'production' : nameFlag(flags.environment, '--environment', USAGE);
  const env: Env = loadEnv(processEnv, root, deps.error);
  const broker = readBrokerConfig(env);
  const dir = pactsDir(env, root);
  const consumers = pairConsumersWithPacts(projectConsumers(root), readPactFiles(dir), dir);
  const deadline = Date.now() + broker.timeoutSeconds * 1000;

  const outcomes = await Promise.all(
    consumers.map(({ pact }) =>
      compareOne(
        broker,
        pact.consumer,
        pact.provider,
        JSON.parse(pact.content.toString('utf8')),
        { branch, environment },
        deadline,
      ),
    ),
  );
  const shown = (line: string) => screened(line, broker) ?? WITHHELD;
  const failure = outcomes.find((outcome) => 'failure' in outcome);
  if (failure) {
    // Nothing half-done: no report, one line (the first cause; the same one usually stops every consumer).
    deps.error(shown(`✗ Could not compare the pacts with the broker: ${failure.failure}`));
    return 1;
  }
  const reports = outcomes.flatMap((outcome) => ('report' in outcome ? [outcome.report] : []));
  const summaryFile = env.GITHUB_STEP_SUMMARY;
  const heading = `Contract changes against ${broker.baseUrl}${branch ? ` (branch ${branch})` : ' (main branch)'}`;
  const markdown = [
    `## Contract changes`,
    '',
    `What this commit's pacts change against the Pact Broker's latest pacts on ${branch ? markdownCode(branch) : 'the main branch'}.`,
    '',
    ...reports.flatMap((report) => markdownReport(report, broker)),
  ].map(shown);
  if (flags.markdown === true) {
    for (const line of markdown) deps.log(line);
  } else {
    for (const line of [heading, ...reports.flatMap(plainReport)]) deps.log(shown(line));
  }
  if (summaryFile) {
    try {
      appendFileSync(summaryFile, `${markdown.join('\n')}\n`);
    } catch (error) {
      deps.error(
        `✗ Could not append the diff to GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? 'error'}): check that it names a writable file.`,
      );
      return 1;
    }
  }
  return 0;
}
