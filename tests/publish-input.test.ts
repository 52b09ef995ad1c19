import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from './support/http-fixture';
import { PASSWORD, TOKEN, USERNAME, gitRepoWithPacts, runBrokerScript, tempDir, writeMinimalPacts } from './support/publish-fixtures';

// Bad input to `npm run publish:pact`: one clear line, a non-zero exit, and not one request to the broker.
// The "broker" only records requests (answering 500): none may arrive. What a real broker does with good input
// is tested against a real one (tests/e2e/consumer-driven-loop.test.ts).

let broker: FixtureServer;
let pactDir: string;
let env: Record<string, string>;

beforeEach(async () => {
  broker = await startFixtureServer({ status: 500 });
  pactDir = tempDir('pacts');
  writeMinimalPacts(pactDir);
  env = { PACT_DIR: pactDir, PACT_BROKER_URL: broker.url, BROKER_USERNAME: USERNAME, BROKER_PASSWORD: PASSWORD, GIT_COMMIT: 'c0ffee1', GIT_BRANCH: 'main' };
});
afterEach(() => broker.close());

async function expectRefused(overrides: Record<string, string | undefined>, message: RegExp, args: string[] = []) {
  const merged = Object.fromEntries(Object.entries({ ...env, ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const run = await runBrokerScript('publish:pact', args, merged);

  expect(run.stderr).toMatch(message);
  expect(run.code).toBe(2);
  expect(broker.requests).toEqual([]);
  return run;
}

describe('publish:pact refuses bad input before sending anything', () => {
  it('a missing broker URL', async () => {
    await expectRefused({ PACT_BROKER_URL: undefined }, /✗ PACT_BROKER_URL \(or PACT_BROKER_BASE_URL\) is not set: set it to your Pact Broker's URL/);
  });

  it('a malformed broker URL', async () => {
    await expectRefused({ PACT_BROKER_URL: 'broker.example.com' }, /PACT_BROKER_URL \("broker.example.com"\) is not a valid URL/);
  });

  it('a broker URL that is not http(s)', async () => {
    await expectRefused({ PACT_BROKER_URL: 'ftp://broker.example.com' }, /PACT_BROKER_URL must be an http:\/\/ or https:\/\/ URL/);
  });

  it('a broker URL with credentials in it, without echoing them', async () => {
    const url = broker.url.replace('http://', `http://${USERNAME}:${PASSWORD}@`);
    const run = await expectRefused({ PACT_BROKER_URL: url }, /PACT_BROKER_URL contains credentials \(user:password@\).*set BROKER_USERNAME and BROKER_PASSWORD instead/);
    expect(run.output).not.toContain(USERNAME);
  });

  it('two URL variables that disagree', async () => {
    await expectRefused({ PACT_BROKER_BASE_URL: 'https://other.example.com' }, /PACT_BROKER_URL and PACT_BROKER_BASE_URL are both set, to different values/);
  });

  it('missing credentials', async () => {
    await expectRefused({ BROKER_USERNAME: undefined, BROKER_PASSWORD: undefined }, /No broker credentials: set BROKER_USERNAME and BROKER_PASSWORD \(or PACT_BROKER_TOKEN\)/);
  });

  it('a username without a password', async () => {
    await expectRefused({ BROKER_PASSWORD: undefined }, /BROKER_PASSWORD \(or PACT_BROKER_PASSWORD\) is not set: the broker needs the password of BROKER_USERNAME/);
  });

  it('a token and a username together', async () => {
    await expectRefused({ PACT_BROKER_TOKEN: TOKEN }, /PACT_BROKER_TOKEN and BROKER_USERNAME are both set: use a bearer token or a username and password, not both/);
  });

  it('an attempts setting that would wait too long', async () => {
    await expectRefused({ PACT_BROKER_HTTP_RETRIES: '8' }, /PACT_BROKER_HTTP_RETRIES must be a whole number of attempts from 1 to 6, got "8"/);
  });

  it('no pact files, telling the user to run the tests first', async () => {
    await expectRefused({ PACT_DIR: tempDir('no-pacts') }, /No pact files in .*: run the contract tests first \(npm test\)/);
  });

  it('a pact file that is not JSON, even next to a good one', async () => {
    writeFileSync(path.join(pactDir, 'consumer_b-aggregator.json'), '{"consumer": {"name": "consumer_b"}, "interactions": [');
    await expectRefused({}, /consumer_b-aggregator\.json is not valid JSON/);
  });

  it('a pact without interactions', async () => {
    writeFileSync(path.join(pactDir, 'consumer_b-aggregator.json'), JSON.stringify({ consumer: { name: 'consumer_b' }, provider: { name: 'aggregator' }, interactions: [] }));
    await expectRefused({}, /consumer_b-aggregator\.json is not a usable pact: it has no interactions/);
  });

  it('a pact without a provider name', async () => {
    writeFileSync(path.join(pactDir, 'consumer_b-aggregator.json'), JSON.stringify({ consumer: { name: 'consumer_b' }, interactions: [{}] }));
    await expectRefused({}, /consumer_b-aggregator\.json is not a usable pact: it has no provider name/);
  });

  it('an unknown flag, with the usage', async () => {
    await expectRefused({}, /Unknown option '--dryrun'.*Usage: npm run publish:pact/, ['--dryrun']);
  });

  it('no commit to name the version (pacts outside git, no GIT_COMMIT)', async () => {
    await expectRefused({ GIT_COMMIT: undefined }, /Cannot tell which commit produced the pacts: .* Set GIT_COMMIT/);
  });

  it('a working tree with uncommitted changes: its pacts are not the commit\'s', async () => {
    const repo = gitRepoWithPacts();
    writeMinimalPacts(repo.pactDir);
    appendFileSync(path.join(repo.root, 'client.ts'), 'export const changed = true;\n');

    await expectRefused(
      { PACT_DIR: repo.pactDir, GIT_COMMIT: undefined },
      new RegExp(`working tree has uncommitted changes \\(1 file, e\\.g\\. client\\.ts\\): its pacts did not come from commit ${repo.head.slice(0, 12)}`),
    );
  });
});

describe('publish:pact configuration', () => {
  it('takes the version and branch from the git checkout that holds the pacts', async () => {
    const repo = gitRepoWithPacts();
    writeMinimalPacts(repo.pactDir);

    const run = await runBrokerScript('publish:pact', ['--dry-run'], { ...env, PACT_DIR: repo.pactDir, GIT_COMMIT: '', GIT_BRANCH: '' });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`as consumer version ${repo.head} (from git HEAD, branch main)`);
  });

  it('reads .env, and a real environment variable wins over it', async () => {
    const dotenv = path.join(tempDir('dotenv'), '.env');
    writeFileSync(dotenv, `PACT_BROKER_URL=https://from-dotenv.example.com\nBROKER_USERNAME=${USERNAME}\nBROKER_PASSWORD=${PASSWORD}\nGIT_BRANCH=from-dotenv\n`);

    const run = await runBrokerScript('publish:pact', ['--dry-run'], {
      PACT_DIR: pactDir,
      GIT_COMMIT: 'c0ffee1',
      GIT_BRANCH: 'from-environment',
      DOTENV_CONFIG_PATH: dotenv,
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('to https://from-dotenv.example.com as consumer version c0ffee1 (from GIT_COMMIT, branch from-environment)');
  });

  it('takes the branch and build URL from GitHub Actions on a pull request', async () => {
    const run = await runBrokerScript('publish:pact', ['--dry-run'], {
      ...env,
      GIT_BRANCH: '',
      GITHUB_HEAD_REF: 'feature/per-capita',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'team/consumers',
      GITHUB_RUN_ID: '1234',
    });

    expect(run.stdout).toContain('branch feature/per-capita');
    expect(run.stdout).toContain('--build-url https://github.com/team/consumers/actions/runs/1234');
  });

  it.each([
    [{ CI_COMMIT_BRANCH: 'gitlab-branch', CI_JOB_URL: 'https://gitlab.example.com/job/1' }, 'gitlab-branch', 'https://gitlab.example.com/job/1'],
    [{ GIT_BRANCH: 'origin/jenkins-branch', JENKINS_URL: 'https://jenkins.example.com', BUILD_URL: 'https://jenkins.example.com/job/2' }, 'jenkins-branch', 'https://jenkins.example.com/job/2'],
    [{ CIRCLE_BRANCH: 'circle-branch', CIRCLE_BUILD_URL: 'https://circleci.com/gh/team/3' }, 'circle-branch', 'https://circleci.com/gh/team/3'],
  ])('takes the branch and build URL from the CI (%o)', async (ciVariables, branch, buildUrl) => {
    const run = await runBrokerScript('publish:pact', ['--dry-run'], { ...env, GIT_BRANCH: '', ...ciVariables });

    expect(run.stdout).toContain(`branch ${branch}`);
    expect(run.stdout).toContain(`--build-url ${buildUrl}`);
  });
});
