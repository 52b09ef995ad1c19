import { execFileSync } from 'node:child_process';
import { checkCliValue } from './cli-values';
import { variableName, type Env } from './env';
import { ConfigError } from './errors';

export interface ConsumerVersion {
  /** The git commit that produced the pacts. */
  number: string;
  branch?: string;
  buildUrl?: string;
  /** Where each value came from, for the summary. */
  numberSource: string;
  branchSource?: string;
}

/** Branch variables of the CI systems we know, in order; a pull-request's source branch before the ref name. */
const CI_BRANCH_VARIABLES = [
  'GITHUB_HEAD_REF', // GitHub Actions, pull requests only
  'GITHUB_REF_NAME', // GitHub Actions (see refType check below)
  'CI_COMMIT_BRANCH', // GitLab, branch pipelines
  'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', // GitLab, merge-request pipelines
  'BRANCH_NAME', // Jenkins multibranch
  'CIRCLE_BRANCH', // CircleCI
  'BITBUCKET_BRANCH', // Bitbucket Pipelines
  'BUILDKITE_BRANCH', // Buildkite
  'BUILD_SOURCEBRANCHNAME', // Azure Pipelines
] as const;

function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return undefined;
  }
}

/** A variable's value when set; only surrounding spaces are trimmed (a newline inside stays, to be refused). */
function set(env: Env, name: string): string | undefined {
  const value = env[name]?.replace(/^ +| +$/g, '');
  return value ? value : undefined;
}

/**
 * The version to publish under: exactly the code that produced the pacts in `pactDir`.
 * The number is `GIT_COMMIT`, else the HEAD of the git checkout holding `pactDir`. A checkout with
 * uncommitted changes is refused: its pacts did not come from that commit, and a version's pact may
 * never change afterwards.
 */
export function resolveConsumerVersion(env: Env, pactDir: string): ConsumerVersion {
  const inGit = git(pactDir, 'rev-parse', '--is-inside-work-tree') === 'true';
  const fromEnv = set(env, 'GIT_COMMIT');
  const number = fromEnv ? commitFromEnv(env, fromEnv, inGit ? pactDir : undefined) : inGit ? git(pactDir, 'rev-parse', 'HEAD') : undefined;
  if (!number) {
    throw new ConfigError(`Cannot tell which commit produced the pacts: ${pactDir} is not in a git checkout with a commit. Set GIT_COMMIT to the commit.`);
  }

  if (inGit) {
    const changes = (git(pactDir, 'status', '--porcelain') ?? '').split('\n').filter(Boolean);
    if (changes.length > 0) {
      const example = changes[0]?.slice(3) ?? '';
      throw new ConfigError(
        `The working tree has uncommitted changes (${changes.length} file${changes.length === 1 ? '' : 's'}, e.g. ${example}): its pacts did not come from commit ${number.slice(0, 12)}. Commit or stash the changes, run the tests again, then publish.`,
      );
    }
  }

  const branch = resolveBranch(env, inGit ? pactDir : undefined);
  const buildUrl = resolveBuildUrl(env);
  // Each of these reaches the pact CLI's command line and the broker: no option look-alikes, no newlines.
  const from = (name: string) => ({ name: variableName(env, name), showValue: false });
  if (branch) checkCliValue(branch.value, from(branch.source));
  return {
    number,
    numberSource: fromEnv ? 'GIT_COMMIT' : 'git HEAD',
    branch: branch?.value,
    branchSource: branch?.source,
    buildUrl: buildUrl?.value,
  };
}

/**
 * GIT_COMMIT as the full, lower-case commit id, so that one commit is one broker version (`4BFA3AA` and its
 * full id would be two). Anything but 7 to 64 hex digits is refused without being shown: it is no commit,
 * and may be a secret set in the wrong variable.
 */
function commitFromEnv(env: Env, value: string, gitDir: string | undefined): string {
  const name = variableName(env, 'GIT_COMMIT');
  checkCliValue(value, { name, showValue: false });
  if (!/^[0-9a-f]{7,64}$/i.test(value)) throw new ConfigError(`${name} is not a commit id (7 to 64 hex digits): set it to the commit that produced the pacts, or unset it to use the git HEAD.`);
  const full = gitDir ? git(gitDir, 'rev-parse', '--verify', '--quiet', `${value}^{commit}`) : undefined;
  return full ?? value.toLowerCase();
}

function resolveBranch(env: Env, gitDir: string | undefined): { value: string; source: string } | undefined {
  const explicit = set(env, 'GIT_BRANCH');
  if (explicit) {
    let value = explicit.replace(/^refs\/heads\//, '');
    // Jenkins' git plugin sets GIT_BRANCH to the remote-tracking name, e.g. origin/main.
    if (set(env, 'JENKINS_URL')) value = value.replace(/^origin\//, '');
    return { value, source: 'GIT_BRANCH' };
  }
  for (const name of CI_BRANCH_VARIABLES) {
    const value = set(env, name);
    // On a tag push GITHUB_REF_NAME is the tag; on a pull request it is "<n>/merge" (GITHUB_HEAD_REF came first).
    if (name === 'GITHUB_REF_NAME' && (env.GITHUB_REF_TYPE !== 'branch' || set(env, 'GITHUB_HEAD_REF'))) continue;
    if (value) return { value, source: name };
  }
  const fromGit = gitDir ? git(gitDir, 'rev-parse', '--abbrev-ref', 'HEAD') : undefined;
  // A detached HEAD (as CI checkouts often are) has no branch name.
  if (fromGit && fromGit !== 'HEAD') return { value: fromGit, source: 'git' };
  return undefined;
}

function resolveBuildUrl(env: Env): { value: string; source: string } | undefined {
  const github = [set(env, 'GITHUB_SERVER_URL'), set(env, 'GITHUB_REPOSITORY'), set(env, 'GITHUB_RUN_ID')];
  if (github.every(Boolean)) return checkedBuildUrl(`${github[0]}/${github[1]}/actions/runs/${github[2]}`, 'GITHUB_SERVER_URL, GITHUB_REPOSITORY or GITHUB_RUN_ID');
  for (const name of ['CI_JOB_URL', 'BUILD_URL', 'CIRCLE_BUILD_URL', 'BUILDKITE_BUILD_URL']) {
    const value = set(env, name);
    if (value) return checkedBuildUrl(value, variableName(env, name));
  }
  return undefined;
}

const SECRET_PARAMETER = /(^|[?&#!/;])[\w.-]*(token|key|sig|signature|auth|password|passwd|pwd|secret|credential|session|code)[\w.-]*=/i;

/**
 * A build URL goes on the CLI's command line and is stored in the broker for anyone who can read it: an
 * http(s) URL without credentials or a secret-looking parameter, or a refusal that shows nothing of it.
 */
function checkedBuildUrl(value: string, source: string): { value: string; source: string } {
  checkCliValue(value, { name: source, showValue: false });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${source} is not a URL: set it to the build's http(s) address, or unset it.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${source} is not an http(s) URL: set it to the build's web address, or unset it.`);
  if (url.username || url.password) throw new ConfigError(`${source} holds credentials (user:password@): the broker would store them for every reader. Give the build's address without them.`);
  // Build links of some CI systems need their query or fragment (Azure `?buildId=`, Bitbucket `#!/results/12`);
  // a parameter named like a credential is what must not be stored.
  if (SECRET_PARAMETER.test(`${url.search}${url.hash}`)) {
    throw new ConfigError(`${source} carries a secret-looking parameter (token, key, signature, password…) in its query or fragment: the broker would store it for every reader. Give the build's address without it.`);
  }
  return { value, source };
}
