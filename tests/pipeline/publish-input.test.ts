import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareBrokerStep } from '../../scripts/lib/broker-step';
import { ConfigError } from '../../scripts/lib/script';
import type { CliRun } from '../../scripts/lib/pact-cli';
import type { StepContext } from '../../scripts/lib/broker-step';
import { publishMain } from '../../scripts/lib/publish-step';
import { createFixtureProject, fixturePact, type FixtureProject } from './fixture-project';

// Bad input to `npm run publish:pact`, in-process: publishMain is the script's whole body (runScript only
// prints a ConfigError's message and exits 2), run on a fixture project so that no case depends on this
// repo's consumers. Nothing is sent because the refusal comes from the preparation that runs before the
// pact CLI: the CLI runner handed in records every call, and must see none.
//
// Covered elsewhere, so not repeated here (pipeline-input.test.ts): a malformed and a non-http broker
// URL ("broker variables"), no credentials at all ("dry runs"), an empty or missing pacts folder ("the pacts
// folder"), and the provenance refusals.

/** Distinctive secrets: if any form of them shows up in a message, a test sees it. */
const USERNAME = 'pact-publisher';
const PASSWORD = 'Pa55/w0rd+that-must-never-print';
const TOKEN = 'bearer-token-that-must-never-print';
const SECRET_FORMS = [
  PASSWORD,
  TOKEN,
  Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'),
  encodeURIComponent(PASSWORD),
];

const CONSUMERS = ['fixture_one', 'fixture_two'];
let project: FixtureProject;
let gitignore: string;
let env: Record<string, string>;

// One project for the file (a git repository costs ~0.1 s to make); each test's change to it is undone
// after it, with plain file writes (ignored pacts are not git's to restore, and every git call costs).
beforeAll(() => {
  project = createFixtureProject({ consumers: CONSUMERS });
  gitignore = readFileSync(path.join(project.root, '.gitignore'), 'utf8');
  env = {
    PACT_BROKER_URL: 'https://broker.example.com',
    BROKER_USERNAME: USERNAME,
    BROKER_PASSWORD: PASSWORD,
    GIT_COMMIT: project.head,
    GIT_BRANCH: 'main',
  };
});
afterEach(() => {
  // The same bytes as the fixture wrote, so the provenance records vouch for them again.
  for (const consumer of CONSUMERS) writeFileSync(project.pactOf(consumer), fixturePact(consumer));
  writeFileSync(path.join(project.root, '.gitignore'), gitignore);
  rmSync(path.join(project.root, '.env'), { force: true });
});
afterAll(() => project.remove());

/** The environment of the baseline, with `overrides` applied (undefined unsets a variable). */
function environment(overrides: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...env, ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * The script's dependencies, with a pact CLI runner that records each call and answers `answer(args)`:
 * the only way publish:pact sends anything is through it.
 */
function recordingDeps(answer: (args: string[]) => CliRun): {
  deps: StepContext;
  cliRuns: string[][];
  printed: string[];
} {
  const cliRuns: string[][] = [];
  const printed: string[] = [];
  const deps: StepContext = {
    log: (line) => printed.push(line),
    error: (line) => printed.push(line),
    run: (args) => {
      cliRuns.push(args);
      return Promise.resolve(answer(args));
    },
  };
  return { deps, cliRuns, printed };
}

/**
 * Runs publish:pact with `argv` and the environment changed by `overrides`, expects a ConfigError, and
 * returns its message after checking what holds for every refusal: one line, no secret in it or in anything
 * else printed, and not one pact CLI run.
 */
async function refusal(overrides: Record<string, string | undefined>, argv: string[] = []): Promise<string> {
  // A missed refusal would run the CLI, and show up in cliRuns.
  const { deps, cliRuns, printed } = recordingDeps(() => ({ code: 1, stdout: '', stderr: '', timedOut: false }));

  const error = await publishMain(argv, project.root, environment(overrides), deps).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );

  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  expect(message).not.toContain('\n');
  for (const secret of SECRET_FORMS) expect([message, ...printed].join('\n')).not.toContain(secret);
  expect(cliRuns).toEqual([]);
  return message;
}

describe('publish:pact refuses bad input before sending anything', () => {
  it('accepts the baseline, so each refusal below is down to its one change', async () => {
    // The broker's refusal (409) ends the run after the first pact: enough to see it was sent, and from where.
    const { deps, cliRuns } = recordingDeps(() => ({
      code: 1,
      stdout: '❌ Pact publication failed:',
      stderr: '',
      timedOut: false,
    }));

    await expect(publishMain([], project.root, environment({}), deps)).resolves.toBe(1);
    expect(cliRuns.map((args) => path.basename(args[2] ?? ''))).toEqual(['fixture_one-aggregator.json']);
    // From a private copy of the checked bytes, not from the pacts folder a contract run may be rewriting.
    expect(path.dirname(cliRuns[0]?.[2] ?? '')).not.toBe(project.pactDir);
  });

  it('a missing broker URL', async () => {
    expect(await refusal({ PACT_BROKER_URL: undefined })).toMatch(
      /^PACT_BROKER_URL \(or PACT_BROKER_BASE_URL\) is not set: set it to your Pact Broker's URL/,
    );
  });

  it('a broker URL with credentials in it, naming neither the user nor the password', async () => {
    const message = await refusal({
      PACT_BROKER_URL: `https://${USERNAME}:${encodeURIComponent(PASSWORD)}@broker.example.com`,
    });

    expect(message).toMatch(
      /^PACT_BROKER_URL contains credentials \(user:password@\).*set BROKER_USERNAME and BROKER_PASSWORD instead/,
    );
    // pipeline-input checks the password; the user name is no less private in a URL.
    expect(message).not.toContain(USERNAME);
  });

  it('two URL variables that disagree', async () => {
    expect(await refusal({ PACT_BROKER_BASE_URL: 'https://other.example.com' })).toMatch(
      /^PACT_BROKER_URL and PACT_BROKER_BASE_URL are both set, to different values/,
    );
  });

  it('a username without a password', async () => {
    expect(await refusal({ BROKER_PASSWORD: undefined })).toBe(
      'BROKER_PASSWORD (or PACT_BROKER_PASSWORD) is not set: the broker needs the password of BROKER_USERNAME.',
    );
  });

  it('a token and a username together', async () => {
    expect(await refusal({ PACT_BROKER_TOKEN: TOKEN })).toBe(
      'PACT_BROKER_TOKEN and BROKER_USERNAME are both set: use a bearer token or a username and password, not both.',
    );
  });

  it("an attempts setting above the maximum (the CLI's own default of 8 waits ~64 s on a dead broker)", async () => {
    expect(await refusal({ PACT_BROKER_HTTP_RETRIES: '8' })).toBe(
      'PACT_BROKER_HTTP_RETRIES must be a whole number of attempts from 1 to 6.',
    );
  });

  it('a pact file that is not JSON, even next to a good one', async () => {
    writeFileSync(project.pactOf('fixture_two'), '{"consumer": {"name": "fixture_two"}, "interactions": [');

    expect(await refusal({})).toMatch(/fixture_two-aggregator\.json is not valid JSON/);
  });

  it('a pact without interactions', async () => {
    writeFileSync(project.pactOf('fixture_two'), fixturePact('fixture_two', 'aggregator', { interactions: [] }));

    expect(await refusal({})).toMatch(/fixture_two-aggregator\.json is not a usable pact \(it has no interactions\)/);
  });

  it('a pact without a provider name', async () => {
    writeFileSync(project.pactOf('fixture_two'), fixturePact('fixture_two', 'aggregator', { provider: {} }));

    expect(await refusal({})).toMatch(/fixture_two-aggregator\.json is not a usable pact \(it has no provider name\)/);
  });

  it('an unknown flag, with the usage', async () => {
    expect(await refusal({}, ['--dryrun'])).toMatch(
      /^Unknown option '--dryrun'.*\. Usage: npm run publish:pact \[-- --dry-run\] \[--tag <tag>\]\.\.\.$/,
    );
  });

  it('a pacts folder outside the repository, which the clean-tree check cannot cover', async () => {
    // The project's pacts, copied out of its checkout: the consumers still match, but nothing vouches for the folder.
    const outside = mkdtempSync(path.join(os.tmpdir(), 'pacts-outside-git-'));
    try {
      for (const consumer of CONSUMERS)
        copyFileSync(project.pactOf(consumer), path.join(outside, path.basename(project.pactOf(consumer))));

      expect(await refusal({ PACT_DIR: outside, GIT_COMMIT: undefined })).toMatch(
        /^The pacts folder \S+ is outside the repository at \S+, so the clean-tree check cannot cover it: set PACT_DIR to a folder inside the repository/,
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'credentials',
      'https://bob:S3cretTok3n@ci.example.com/job/1/',
      /^BUILD_URL holds credentials \(user:password@\): the broker would store them/,
    ],
    [
      'a token in its query',
      'https://ci.example.com/job/1/?token=S3cretTok3n',
      /^BUILD_URL carries a secret-looking parameter \(token, key, signature, password…\) in its query or fragment/,
    ],
    [
      'a signature in its fragment',
      'https://ci.example.com/job/1/#access_key=S3cretTok3n',
      /^BUILD_URL carries a secret-looking parameter/,
    ],
    ['no http(s)', 'ftp://ci.example.com/S3cretTok3n', /^BUILD_URL is not an http\(s\) URL/],
  ])(
    'a build URL with %s, never shown: it would go on the command line and into the broker',
    async (_case, url, message) => {
      const text = await refusal({ BUILD_URL: url });
      expect(text).toMatch(message);
      expect(text).not.toContain('S3cretTok3n');
    },
  );

  it.each([
    ['Azure Pipelines', 'https://dev.azure.com/team/consumers/_build/results?buildId=123'],
    ['Bitbucket Pipelines', 'https://bitbucket.org/team/consumers/addon/pipelines/home#!/results/12'],
  ])('a %s build link, whose query or fragment is its point, is kept', (_ci, url) => {
    const { version } = prepareBrokerStep(project.root, environment({ BUILD_URL: url }), { notify: () => undefined });
    expect(version.buildUrl).toBe(url);
  });

  it('a GIT_COMMIT that is no commit id, never shown (it may be a secret in the wrong variable)', async () => {
    const text = await refusal({ GIT_COMMIT: 'S3cr3t!Pass' });
    expect(text).toBe(
      'GIT_COMMIT is not a commit id (7 to 64 hex digits): set it to the commit that produced the pacts, or unset it to use the git HEAD.',
    );
  });

  it.each([
    ['GIT_BRANCH', { GIT_BRANCH: PASSWORD }, []],
    ['--tag', {}, ['--tag', PASSWORD]],
    // The CLI's argument --broker-base-url would carry it.
    ['PACT_BROKER_URL', { PACT_BROKER_URL: `https://broker.example.com/${PASSWORD}` }, []],
  ])('the broker password given as %s', async (name, overrides, argv) => {
    expect(await refusal(overrides, argv)).toBe(
      `${name} holds the value of BROKER_PASSWORD: it would go on the pact CLI's command line and into the broker. Give ${name} the name it should have.`,
    );
  });

  it("npm's own --tag, which npm keeps and passes on only as npm_config_tag", async () => {
    expect(await refusal({ npm_config_tag: 'prod' })).toMatch(/^npm took --tag for itself/);
  });

  it("a working tree with uncommitted changes: its pacts are not the commit's", async () => {
    appendFileSync(path.join(project.root, '.gitignore'), '# changed after the pacts were written\n');

    expect(await refusal({ GIT_COMMIT: undefined })).toMatch(
      /^The working tree has uncommitted changes \(\.gitignore\): commit or stash the changes; then run the tests again and publish\.$/,
    );
  });
});

it.each(['PACT_DESCRIPTION', 'PACT_PROVIDER_STATE', 'PACT_PROVIDER_NO_STATE'])(
  'a Pact filter variable (%s), in the environment or in .env: the results would cover part of the contract',
  async (name) => {
    const fromEnvironment = await refusal({ [name]: 'a request for all countries' });
    writeFileSync(path.join(project.root, '.env'), `${name}="unknown code"\n`);
    const fromFile = await refusal({ DOTENV_CONFIG_PATH: undefined });

    expect(fromEnvironment).toMatch(new RegExp(`^${name} is set: the pact verifier reads it as a filter`));
    expect(fromFile).toMatch(new RegExp(`^${name} \\(from .*\\.env\\) is set: the pact verifier reads it as a filter`));
  },
);

describe('publish:pact --dry-run (#25)', () => {
  it('on a dirty tree shows what would be sent, then the refusal a real run would meet, and exits 2', async () => {
    appendFileSync(path.join(project.root, '.gitignore'), '# changed after the pacts were written\n');
    const { deps, cliRuns, printed } = recordingDeps(() => ({ code: 0, stdout: '', stderr: '', timedOut: false }));

    const code = await publishMain(['--dry-run'], project.root, environment({ GIT_COMMIT: undefined }), deps);

    expect(code).toBe(2);
    expect(cliRuns).toEqual([]);
    expect(printed.filter((line) => line.startsWith('  would publish'))).toHaveLength(CONSUMERS.length);
    expect(printed.at(-1)).toMatch(
      /^✗ A real run would be refused: The working tree has uncommitted changes \(\.gitignore\): commit or stash/,
    );
  });

  it('with nothing in the way exits 0', async () => {
    const { deps, cliRuns, printed } = recordingDeps(() => ({ code: 0, stdout: '', stderr: '', timedOut: false }));

    expect(await publishMain(['--dry-run'], project.root, environment({}), deps)).toBe(0);
    expect(cliRuns).toEqual([]);
    expect(printed.at(-1)).toBe('Dry run: nothing was sent to the broker.');
  });
});

describe('publish:pact configuration', () => {
  /** The checked step for the environment changed by `overrides`; notes (.env vs environment) are kept out of the output. */
  const prepare = (overrides: Record<string, string | undefined>) =>
    prepareBrokerStep(project.root, environment(overrides), { notify: () => undefined });

  it('takes the version and branch from the git checkout that holds the pacts', () => {
    const { version } = prepare({ GIT_COMMIT: '', GIT_BRANCH: '' });

    expect(version).toEqual({ number: project.head, numberSource: 'git HEAD', branch: 'main', branchSource: 'git' });
  });

  it('takes GIT_COMMIT as the full lower-case commit id, so one commit is one broker version', () => {
    expect(prepare({ GIT_COMMIT: project.head.slice(0, 7).toUpperCase() }).version.number).toBe(project.head);
  });

  it('reads .env from the project folder, and a real environment variable wins over it', () => {
    writeFileSync(
      path.join(project.root, '.env'),
      `PACT_BROKER_URL=https://from-dotenv.example.com\nGIT_BRANCH=from-dotenv\n`,
    );
    // Not part of the fixture's commit: keep the tree clean, as publishing requires.
    appendFileSync(path.join(project.root, '.git', 'info', 'exclude'), '.env\n');

    const step = prepare({ PACT_BROKER_URL: undefined, GIT_BRANCH: 'from-environment' });

    expect(step.broker.baseUrl).toBe('https://from-dotenv.example.com');
    expect(step.version.branch).toBe('from-environment');
  });

  it('takes the branch and build URL from GitHub Actions on a pull request, not its merge ref', () => {
    const { version } = prepare({
      GIT_BRANCH: '',
      GITHUB_HEAD_REF: 'feature/per-capita',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'team/consumers',
      GITHUB_RUN_ID: '1234',
    });

    expect({ branch: version.branch, buildUrl: version.buildUrl }).toEqual({
      branch: 'feature/per-capita',
      buildUrl: 'https://github.com/team/consumers/actions/runs/1234',
    });
  });

  it.each([
    [
      'GitLab',
      { CI_COMMIT_BRANCH: 'gitlab-branch', CI_JOB_URL: 'https://gitlab.example.com/job/1' },
      'gitlab-branch',
      'https://gitlab.example.com/job/1',
    ],
    // Jenkins' git plugin names the remote-tracking branch.
    [
      'Jenkins',
      {
        GIT_BRANCH: 'origin/jenkins-branch',
        JENKINS_URL: 'https://jenkins.example.com',
        BUILD_URL: 'https://jenkins.example.com/job/2',
      },
      'jenkins-branch',
      'https://jenkins.example.com/job/2',
    ],
    [
      'CircleCI',
      { CIRCLE_BRANCH: 'circle-branch', CIRCLE_BUILD_URL: 'https://circleci.com/gh/team/3' },
      'circle-branch',
      'https://circleci.com/gh/team/3',
    ],
  ])('takes the branch and build URL from %s', (_ci, ciVariables, branch, buildUrl) => {
    const { version } = prepare({ GIT_BRANCH: '', ...ciVariables });

    expect({ branch: version.branch, buildUrl: version.buildUrl }).toEqual({ branch, buildUrl });
  });
});
