import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { brokerRequest, explainBrokerAnswer, notBrokerRoot } from './broker-http';
import { screenedContext, type BrokerStep, type StepContext } from './broker-step';
import { projectConsumers } from './project';
import { refuseCredentialsIn } from './secrets';
import {
  checkCliValue,
  cliValueProblem,
  ConfigError,
  count,
  dryRunRequested,
  loadEnv,
  parseFlags,
  variableName,
  type Env,
} from './script';

// A consumer's branches in the broker follow its branches in git: publishing from the main branch records which
// branch that is (and where the repository lives), and a branch deleted in git is deleted in the broker.

const q = encodeURIComponent;

/** Why `value` is not a branch name git would accept (slashes allowed: feature/x), or undefined. */
export function branchNameProblem(value: string): string | undefined {
  const problem = cliValueProblem(value);
  if (problem) return problem;
  if (!/^[\w./-]+$/.test(value)) return 'is not a usable branch name (letters, digits, ".", "_", "-" and "/")';
  if (/\.\.|\/\/|^\/|\/$|\.lock$|^\.|\/\./.test(value)) return 'is not a branch name git allows';
  return undefined;
}

export function branchFlag(value: string, flag: string, usage: string): string {
  if (value.trim() === '') throw new ConfigError(`${flag} is missing its name, e.g. ${flag} main. Usage: ${usage}`);
  const problem = branchNameProblem(value);
  if (problem) throw new ConfigError(`${flag} ${JSON.stringify(value.slice(0, 60))} ${problem}. Usage: ${usage}`);
  return value;
}

export interface MainBranch {
  branch: string;
  /** The variable it came from, for messages. */
  source: string;
  repositoryUrl?: string;
}

const set = (env: Env, name: string) => env[name]?.trim() || undefined;

/**
 * The project's main branch and repository URL: MAIN_BRANCH, else the CI's default-branch variable (GitLab's
 * CI_DEFAULT_BRANCH; GitHub has none, so the workflow passes `github.event.repository.default_branch` as
 * MAIN_BRANCH); REPOSITORY_URL, else GitHub's GITHUB_SERVER_URL/GITHUB_REPOSITORY or GitLab's CI_PROJECT_URL.
 */
export function resolveMainBranch(env: Env): MainBranch | undefined {
  const source = ['MAIN_BRANCH', 'CI_DEFAULT_BRANCH'].find((name) => set(env, name));
  if (!source) return undefined;
  const branch = set(env, source) as string;
  const problem = branchNameProblem(branch);
  if (problem) throw new ConfigError(`${variableName(env, source)} ${problem}: set it to the main branch's name.`);
  const explicit = set(env, 'REPOSITORY_URL');
  const [server, repository] = [set(env, 'GITHUB_SERVER_URL'), set(env, 'GITHUB_REPOSITORY')];
  const found = explicit
    ? { value: explicit, source: variableName(env, 'REPOSITORY_URL') }
    : server && repository
      ? { value: `${server}/${repository}`, source: 'GITHUB_SERVER_URL and GITHUB_REPOSITORY' }
      : set(env, 'CI_PROJECT_URL') && { value: set(env, 'CI_PROJECT_URL') as string, source: 'CI_PROJECT_URL' };
  if (!found) return { branch, source };
  checkCliValue(found.value, { name: found.source, showValue: false });
  const url = URL.parse(found.value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new ConfigError(`${found.source} is not an http(s) URL: set REPOSITORY_URL to the repository's web address.`);
  // The broker shows it to every reader.
  if (url.username || url.password || url.search || url.hash)
    throw new ConfigError(
      `${found.source} holds credentials, a query or a fragment: set REPOSITORY_URL to the repository's plain web address.`,
    );
  return { branch, source, repositoryUrl: found.value };
}

type Pacticipant = { name?: unknown; mainBranch?: unknown; repositoryUrl?: unknown };

/** Checks the main-branch settings before publish:pact sends anything; the line its dry run shows when they apply. */
export function mainBranchPlan(step: BrokerStep): string | undefined {
  const main = resolveMainBranch(step.broker.env);
  if (!main || main.branch !== step.version.branch) return undefined;
  refuseCredentialsIn([{ name: 'REPOSITORY_URL', value: main.repositoryUrl }], step.broker);
  return `  would record ${main.branch} as each consumer's main branch${main.repositoryUrl ? `, repository ${main.repositoryUrl}` : ''}`;
}

/**
 * After a publish from the main branch: records that branch (and the repository URL) on each consumer, so that the
 * broker's `mainBranch` selector and `diff:pact` mean this branch. Counted only when the broker's answer shows both.
 * Does nothing on another branch, or when the main branch is not known. Returns false when a record failed.
 */
export async function recordMainBranch(step: BrokerStep, deadline: number, deps: StepContext): Promise<boolean> {
  const { broker, version } = step;
  const main = resolveMainBranch(broker.env);
  if (!main || main.branch !== version.branch) return true;
  const wanted = { mainBranch: main.branch, ...(main.repositoryUrl && { repositoryUrl: main.repositoryUrl }) };
  const failures = await Promise.all(
    step.consumers.map(async ({ consumer }) => {
      const name = consumer.pacticipant;
      const answer = await brokerRequest(broker, 'PATCH', `/pacticipants/${q(name)}`, deadline, wanted);
      if (!('status' in answer) || answer.status < 200 || answer.status > 299)
        return `${name}: ${explainBrokerAnswer(answer, broker, 'publish', deadline)}`;
      const held = answer.body as Pacticipant | undefined;
      const recorded =
        held?.name === name &&
        held.mainBranch === main.branch &&
        (main.repositoryUrl === undefined || held.repositoryUrl === main.repositoryUrl);
      return recorded ? undefined : `${name}: the broker answered ${answer.status}, but its record does not show it`;
    }),
  );
  const failed = failures.filter((failure) => failure !== undefined);
  for (const failure of failed) deps.log(`  ✗ main branch not recorded for ${failure}`);
  if (failed.length > 0) {
    deps.error(
      `✗ The pacts are published, but the main branch was not recorded for ${count(failed.length, 'consumer')}.`,
    );
    return false;
  }
  deps.log(
    `  ✓ ${main.branch} recorded as the main branch of ${count(step.consumers.length, 'consumer')}${main.repositoryUrl ? `, repository ${main.repositoryUrl}` : ''} (from ${main.source})`,
  );
  return true;
}

const DELETE_USAGE = 'npm run delete-branch -- --branch <name> [--dry-run]';

/** What deleting `branch` of `consumer` did, or why it did not (undefined branch state: nothing to delete). */
async function deleteOne(broker: BrokerConfig, consumer: string, branch: string, deadline: number) {
  const where = `/pacticipants/${q(consumer)}/branches/${q(branch)}`;
  const deleted = await brokerRequest(broker, 'DELETE', where, deadline);
  if ('status' in deleted && deleted.status === 404)
    return { line: `✓ ${consumer}: no branch ${branch} in the broker` };
  if (!('status' in deleted) || deleted.status < 200 || deleted.status > 299) {
    return { failure: `${consumer}: ${explainBrokerAnswer(deleted, broker, 'delete-branch', deadline)}` };
  }
  // The broker's evidence: the branch is gone (its versions and their verifications stay).
  const after = await brokerRequest(broker, 'GET', where, deadline);
  if ('status' in after && after.status === 404) return { line: `✓ ${consumer}: branch ${branch} deleted` };
  return {
    failure: `${consumer}: the broker answered ${deleted.status} to the delete, but ${'status' in after ? `still answers ${after.status} for the branch` : 'could not be asked again'}. Not counted as deleted.`,
  };
}

/** `npm run delete-branch <argv>`: removes the branch from the broker for every consumer of the project in `root`. */
export async function deleteBranchMain(
  argv: string[],
  root: string,
  processEnv: NodeJS.ProcessEnv,
  context: Pick<StepContext, 'log' | 'error'>,
): Promise<number> {
  const flags = parseFlags(
    argv,
    { branch: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    DELETE_USAGE,
    processEnv,
  );
  if (flags.branch === undefined)
    throw new ConfigError(`--branch is missing: name the branch to delete. Usage: ${DELETE_USAGE}`);
  const branch = branchFlag(flags.branch, '--branch', DELETE_USAGE);
  const dryRun = dryRunRequested(flags['dry-run'], processEnv);
  const env = loadEnv(processEnv, root, context.error);
  const broker = readBrokerConfig(env, { dryRun });
  refuseCredentialsIn([{ name: '--branch', value: branch }], broker);
  // The broker's answers are quoted (a reason, a Location): a line holding a credential is withheld whole.
  const deps = screenedContext(context, broker);
  const consumers = projectConsumers(root).map((consumer) => consumer.pacticipant);
  deps.log(
    `Deleting branch ${branch} of ${count(consumers.length, 'consumer')} from ${broker.baseUrl} (versions and verifications stay)`,
  );
  if (dryRun) {
    for (const consumer of consumers)
      deps.log(`  would delete ${broker.baseUrl}/pacticipants/${q(consumer)}/branches/${q(branch)}`);
    deps.log('Dry run: nothing was sent to the broker.');
    return 0;
  }
  const deadline = Date.now() + broker.timeoutSeconds * 1000;
  // First every consumer's main branch: the main branch is never deleted, and a refusal deletes nothing.
  const mains = await Promise.all(
    consumers.map(async (consumer) => {
      const answer = await brokerRequest(broker, 'GET', `/pacticipants/${q(consumer)}`, deadline);
      if ('status' in answer && answer.status === 404) {
        // Never seen, if this is a broker's root: a wrong URL or path prefix answers 404 too.
        const problem = await notBrokerRoot(broker, 'delete-branch', deadline);
        return problem ? { consumer, failure: problem } : { consumer, unknown: true };
      }
      if (!('status' in answer) || answer.status !== 200)
        return { consumer, failure: explainBrokerAnswer(answer, broker, 'delete-branch', deadline) };
      const held = answer.body as Pacticipant | undefined;
      if (held?.name !== consumer)
        return {
          consumer,
          failure: `the broker's answer is not the pacticipant ${consumer}: is PACT_BROKER_URL a Pact Broker?`,
        };
      return { consumer, main: held.mainBranch };
    }),
  );
  const refused = mains.flatMap((each) =>
    'failure' in each
      ? [`${each.consumer}: ${each.failure}`]
      : 'main' in each && each.main === branch
        ? [`${each.consumer}: ${branch} is its main branch in the broker, which this step never deletes`]
        : [],
  );
  if (refused.length > 0) {
    for (const line of refused) deps.log(`  ✗ ${line}`);
    deps.error(`✗ Nothing was deleted: ${count(refused.length, 'consumer')} could not be checked or refused.`);
    return 1;
  }
  const results = await Promise.all(
    mains.map(async (each) =>
      'unknown' in each
        ? { line: `✓ ${each.consumer}: the broker has never seen it` }
        : deleteOne(broker, each.consumer, branch, deadline),
    ),
  );
  for (const result of results) deps.log(`  ${'line' in result ? result.line : `✗ ${result.failure}`}`);
  const failed = results.filter((result) => 'failure' in result).length;
  if (failed > 0) {
    deps.error(`✗ Deleting branch ${branch} failed for ${count(failed, 'consumer')}.`);
    return 1;
  }
  deps.log(`Branch ${branch} is gone from the broker for every consumer.`);
  return 0;
}
