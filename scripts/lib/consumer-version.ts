import { checkCliValue } from './script';
import { variableName, type Env } from './env';
import { ConfigError } from './errors';
import { cleanTreeAdvice, git, gitState } from './git';

export interface ConsumerVersion {
  /** The full git commit that produced the pacts. */
  number: string;
  branch?: string;
  buildUrl?: string;
  /** Where each value came from, for the summary. */
  numberSource: string;
  branchSource?: string;
}

/** CI branch variables, in order; a pull request's source branch before the ref name. */
const CI_BRANCH_VARIABLES = ['GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'CI_COMMIT_BRANCH', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'BRANCH_NAME', 'CIRCLE_BRANCH', 'BITBUCKET_BRANCH', 'BUILDKITE_BRANCH', 'BUILD_SOURCEBRANCHNAME'] as const;

const set = (env: Env, name: string) => env[name]?.replace(/^ +| +$/g, '') || undefined;

/**
 * The version to publish under: the commit of the clean checkout holding `pactDir` (or GIT_COMMIT outside git,
 * which must name that same commit inside it), its branch and build link, each checked before anything is sent.
 */
export function resolveConsumerVersion(env: Env, pactDir: string): ConsumerVersion {
  const state = gitState(pactDir, pactDir);
  const fromEnv = set(env, 'GIT_COMMIT');
  const name = variableName(env, 'GIT_COMMIT');
  let number = state?.commit;
  if (fromEnv) {
    checkCliValue(fromEnv, { name, showValue: false });
    if (!/^[0-9a-f]{7,64}$/i.test(fromEnv)) throw new ConfigError(`${name} is not a commit id (7 to 64 hex digits): set it to the commit that produced the pacts, or unset it to use the git HEAD.`);
    const full = state ? git(pactDir, 'rev-parse', '--verify', '--quiet', `${fromEnv}^{commit}`)?.trim() : undefined;
    if (state && full !== state.commit) {
      throw new ConfigError(`${name} is ${fromEnv.slice(0, 12)}, but this checkout is at ${state.commit.slice(0, 12)}, where the contract tests ran: unset GIT_COMMIT (the version is then HEAD), or check out the commit it names and run the tests there.`);
    }
    number ??= fromEnv.toLowerCase();
  }
  if (!number) throw new ConfigError(`Cannot tell which commit produced the pacts: ${pactDir} is not in a git checkout with a commit. Set GIT_COMMIT to the commit.`);
  if (state && !state.clean) throw new ConfigError(`The working tree has ${cleanTreeAdvice(state)}; then run the tests again and publish.`);
  // GitHub checks out a merge commit for pull_request events: no branch holds it, so the broker would get a version that never existed.
  if (/^pull_request/.test(env.GITHUB_EVENT_NAME ?? '') && env.GITHUB_SHA === number) {
    throw new ConfigError(`HEAD is GitHub's merge commit of the pull request (GITHUB_EVENT_NAME=${env.GITHUB_EVENT_NAME}): check out the PR's head commit (actions/checkout with ref: \${{ github.event.pull_request.head.sha }}), as Pact's docs advise, then run the tests and publish.`);
  }
  const branch = resolveBranch(env, state ? pactDir : undefined);
  if (branch) checkCliValue(branch.value, { name: variableName(env, branch.source), showValue: false });
  return { number, numberSource: fromEnv ? 'GIT_COMMIT' : 'git HEAD', branch: branch?.value, branchSource: branch?.source, buildUrl: resolveBuildUrl(env) };
}

function resolveBranch(env: Env, gitDir: string | undefined): { value: string; source: string } | undefined {
  const explicit = set(env, 'GIT_BRANCH');
  // Jenkins' git plugin sets GIT_BRANCH to the remote-tracking name, e.g. origin/main.
  if (explicit) return { value: explicit.replace(/^refs\/heads\//, '').replace(set(env, 'JENKINS_URL') ? /^origin\// : /^$/, ''), source: 'GIT_BRANCH' };
  for (const name of CI_BRANCH_VARIABLES) {
    // On a tag push GITHUB_REF_NAME is the tag; on a pull request it is "<n>/merge".
    if (name === 'GITHUB_REF_NAME' && (env.GITHUB_REF_TYPE !== 'branch' || set(env, 'GITHUB_HEAD_REF'))) continue;
    const value = set(env, name);
    if (value) return { value, source: name };
  }
  const fromGit = gitDir ? git(gitDir, 'rev-parse', '--abbrev-ref', 'HEAD')?.trim() : undefined;
  // A detached HEAD, as CI checkouts often are, has no branch name.
  return fromGit && fromGit !== 'HEAD' ? { value: fromGit, source: 'git' } : undefined;
}

const SECRET_PARAMETER = /(^|[?&#!/;])[\w.-]*(token|key|sig|signature|auth|password|passwd|pwd|secret|credential|session|code)[\w.-]*=/i;

/** The build link: stored in the broker for every reader, so no credentials or secret-looking parameters; never shown. */
function resolveBuildUrl(env: Env): string | undefined {
  const github = [set(env, 'GITHUB_SERVER_URL'), set(env, 'GITHUB_REPOSITORY'), set(env, 'GITHUB_RUN_ID')];
  const found = github.every(Boolean)
    ? { value: `${github[0]}/${github[1]}/actions/runs/${github[2]}`, source: 'GITHUB_SERVER_URL, GITHUB_REPOSITORY or GITHUB_RUN_ID' }
    : ['CI_JOB_URL', 'BUILD_URL', 'CIRCLE_BUILD_URL', 'BUILDKITE_BUILD_URL'].map((name) => ({ value: set(env, name), source: variableName(env, name) })).find((each) => each.value);
  if (!found?.value) return undefined;
  const { value, source } = found;
  checkCliValue(value, { name: source, showValue: false });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${source} is not a URL: set it to the build's http(s) address, or unset it.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${source} is not an http(s) URL: set it to the build's web address, or unset it.`);
  if (url.username || url.password) throw new ConfigError(`${source} holds credentials (user:password@): the broker would store them for every reader. Give the build's address without them.`);
  // Azure's `?buildId=` and Bitbucket's `#!/results/12` are kept; a credential-like parameter is not.
  if (SECRET_PARAMETER.test(`${url.search}${url.hash}`)) {
    throw new ConfigError(`${source} carries a secret-looking parameter (token, key, signature, password…) in its query or fragment: the broker would store it for every reader. Give the build's address without it.`);
  }
  return value;
}
