import { git, gitState, refusePactsOutside } from './git';
import { checkCliValue, ConfigError, variableName, type Env } from './script';

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
const CI_BRANCH_VARIABLES = [
  'GITHUB_HEAD_REF',
  'GITHUB_REF_NAME',
  'CI_COMMIT_BRANCH',
  'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME',
  'BRANCH_NAME',
  'CIRCLE_BRANCH',
  'BITBUCKET_BRANCH',
  'BUILDKITE_BRANCH',
  'BUILD_SOURCEBRANCHNAME',
];

const set = (env: Env, name: string) => env[name]?.replace(/^ +| +$/g, '') || undefined;

/**
 * The commit of the clean checkout at `root` holding `pactDir` (GIT_COMMIT must name it; outside git it is the
 * version), branch and build link. `defer` (a dry run) hears a dirty tree's refusal instead of its being thrown.
 */
export function resolveConsumerVersion(
  env: Env,
  pactDir: string,
  root: string = pactDir,
  defer?: (refusal: ConfigError) => void,
): ConsumerVersion {
  if (root !== pactDir) refusePactsOutside(root, pactDir);
  const state = gitState(root, pactDir);
  const fromEnv = set(env, 'GIT_COMMIT');
  const name = variableName(env, 'GIT_COMMIT');
  let number = state?.commit;
  if (fromEnv) {
    checkCliValue(fromEnv, { name, showValue: false });
    if (!/^[0-9a-f]{7,64}$/i.test(fromEnv))
      throw new ConfigError(
        `${name} is not a commit id (7 to 64 hex digits): set it to the commit that produced the pacts, or unset it to use the git HEAD.`,
      );
    if (state && git(pactDir, 'rev-parse', '--verify', '--quiet', `${fromEnv}^{commit}`)?.trim() !== state.commit) {
      throw new ConfigError(
        `${name} is ${fromEnv.slice(0, 12)}, but this checkout is at ${state.commit.slice(0, 12)}, where the contract tests ran: unset GIT_COMMIT (the version is then HEAD), or check out the commit it names and run the tests there.`,
      );
    }
    number ??= fromEnv.toLowerCase();
  }
  if (!number)
    throw new ConfigError(
      `Cannot tell which commit produced the pacts: ${pactDir} is not in a git checkout with a commit. Set GIT_COMMIT to the commit.`,
    );
  if (state && !state.clean) {
    const shown =
      state.changes.slice(0, 3).join(', ') + (state.changes.length > 3 ? `, … (${state.changes.length} in all)` : '');
    // git stash skips untracked files: those need .gitignore (a CI cache such as .npm/).
    const fix = state.changes.some((change) => change.endsWith(' (untracked)'))
      ? 'commit or remove what you changed, and add untracked folders that CI creates (a cache such as .npm/) to .gitignore: git stash does not take untracked files'
      : 'commit or stash the changes';
    const dirty = new ConfigError(
      `The working tree has uncommitted changes (${shown}): ${fix}; then run the tests again and publish.`,
    );
    if (!defer) throw dirty;
    defer(dirty);
  }
  // GitHub checks out a merge commit for pull_request events: no branch holds it, so the broker would get a version that never existed.
  if (/^pull_request/.test(env.GITHUB_EVENT_NAME ?? '') && env.GITHUB_SHA === number) {
    throw new ConfigError(
      `HEAD is GitHub's merge commit of the pull request (GITHUB_EVENT_NAME=${env.GITHUB_EVENT_NAME}): check out the PR's head commit (actions/checkout with ref: \${{ github.event.pull_request.head.sha }}), as Pact's docs advise, then run the tests and publish.`,
    );
  }
  const branch = resolveBranch(env, state ? root : undefined);
  if (branch) checkCliValue(branch.value, { name: variableName(env, branch.source), showValue: false });
  return {
    number,
    numberSource: fromEnv ? 'GIT_COMMIT' : 'git HEAD',
    branch: branch?.value,
    branchSource: branch?.source,
    buildUrl: resolveBuildUrl(env),
  };
}

function resolveBranch(env: Env, gitDir: string | undefined): { value: string; source: string } | undefined {
  const explicit = set(env, 'GIT_BRANCH');
  // Jenkins' git plugin sets GIT_BRANCH to the remote-tracking name, e.g. origin/main.
  if (explicit)
    return {
      value: explicit.replace(/^refs\/heads\//, '').replace(set(env, 'JENKINS_URL') ? /^origin\// : /^$/, ''),
      source: 'GIT_BRANCH',
    };
  // On a tag push GITHUB_REF_NAME is the tag; on a pull request it is "<n>/merge".
  const skip = (name: string) =>
    name === 'GITHUB_REF_NAME' && (env.GITHUB_REF_TYPE !== 'branch' || set(env, 'GITHUB_HEAD_REF'));
  const ci = CI_BRANCH_VARIABLES.find((name) => !skip(name) && set(env, name));
  if (ci) return { value: set(env, ci) as string, source: ci };
  const fromGit = gitDir ? git(gitDir, 'rev-parse', '--abbrev-ref', 'HEAD')?.trim() : undefined;
  // A detached HEAD, as CI checkouts often are, has no branch name.
  return fromGit && fromGit !== 'HEAD' ? { value: fromGit, source: 'git' } : undefined;
}

const SECRET_PARAMETER =
  /(^|[?&#!/;])[\w.-]*(token|key|sig|signature|auth|password|passwd|pwd|secret|credential|session|code)[\w.-]*=/i;

/** The build link: stored in the broker for every reader, so no credentials or secret-looking parameters; never shown. */
function resolveBuildUrl(env: Env): string | undefined {
  const [server, repository, run] = ['GITHUB_SERVER_URL', 'GITHUB_REPOSITORY', 'GITHUB_RUN_ID'].map((name) =>
    set(env, name),
  );
  const variable = ['CI_JOB_URL', 'BUILD_URL', 'CIRCLE_BUILD_URL', 'BUILDKITE_BUILD_URL'].find((name) =>
    set(env, name),
  );
  const found =
    server && repository && run
      ? {
          value: `${server}/${repository}/actions/runs/${run}`,
          source: 'GITHUB_SERVER_URL, GITHUB_REPOSITORY or GITHUB_RUN_ID',
        }
      : variable && { value: set(env, variable) as string, source: variableName(env, variable) };
  if (!found) return undefined;
  const { value, source } = found;
  checkCliValue(value, { name: source, showValue: false });
  const url = URL.parse(value);
  if (!url) throw new ConfigError(`${source} is not a URL: set it to the build's http(s) address, or unset it.`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(`${source} is not an http(s) URL: set it to the build's web address, or unset it.`);
  if (url.username || url.password)
    throw new ConfigError(
      `${source} holds credentials (user:password@): the broker would store them for every reader. Give the build's address without them.`,
    );
  // Azure's `?buildId=` and Bitbucket's `#!/results/12` are kept; a credential-like parameter is not.
  if (SECRET_PARAMETER.test(`${url.search}${url.hash}`)) {
    throw new ConfigError(
      `${source} carries a secret-looking parameter (token, key, signature, password…) in its query or fragment: the broker would store it for every reader. Give the build's address without it.`,
    );
  }
  return value;
}
