import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readBrokerConfig } from '../../scripts/lib/broker-config';
import { prepareBrokerStep } from '../../scripts/lib/broker-step';
import { resolveConsumerVersion } from '../../scripts/lib/consumer-version';
import { ProvenanceRun } from '../../scripts/lib/provenance';
import { loadEnv } from '../../scripts/lib/script';
import { discoverConsumers } from '../../scripts/lib/project';
import { createFixtureProject, fixturePact, refusalOf, runScriptIn, type FixtureProject } from './fixture-project';

// What the checkout and the variables can get wrong (#18's smaller findings): each is one line naming the
// real cause and the fix that works, or, where the old refusal was wrong, no refusal at all.

const BROKER = {
  PACT_BROKER_URL: 'https://broker.example.com',
  BROKER_USERNAME: 'writer',
  BROKER_PASSWORD: 'Secret-Pa55word!',
  DOTENV_CONFIG_PATH: '/dev/null',
};

let project: FixtureProject;
beforeEach(() => {
  project = createFixtureProject({ consumers: ['fixture_one'] });
});
afterEach(() => project.remove());

const prepareStep = (env: Record<string, string> = {}) =>
  prepareBrokerStep(project.root, { ...BROKER, GIT_BRANCH: 'main', ...env }, { notify: () => undefined });
const prepare = (env: Record<string, string> = {}) => refusalOf(() => prepareStep(env));

it('PACT_DIR=out, a folder git does not ignore, is publishable: the pacts folder is output, not source', () => {
  const out = path.join(project.root, 'out');
  mkdirSync(out);
  const pact = path.join(out, 'fixture_one-aggregator.json');
  const run = new ProvenanceRun(project.root, out);
  run.claim([pact]);
  writeFileSync(pact, fixturePact('fixture_one'));
  expect(run.vouch([pact])).toEqual([]);

  expect(() => prepareStep({ PACT_DIR: 'out' })).not.toThrow();
});

it('a consumer folder that is not all lower case is refused by name, not passed over', () => {
  mkdirSync(path.join(project.root, 'src', 'consumer-Billing'));

  expect(refusalOf(() => discoverConsumers(project.root))).toBe(
    'src/consumer-Billing/ is not a consumer folder name: use lower-case letters, digits and "-" after "consumer-" (e.g. src/consumer-billing/), and name its spec after it.',
  );
});

it('a consumer folder without its spec is refused: npm test would never write its pact', () => {
  mkdirSync(path.join(project.root, 'src', 'consumer-z'));
  writeFileSync(
    path.join(project.root, 'src', 'consumer-z', 'pacticipant.ts'),
    "export const PACTICIPANT = 'fixture_z';\n",
  );

  expect(prepare()).toBe(
    'src/consumer-z/ has no contract spec tests/contracts/consumer-z.pact.test.ts: npm test would never write its pact. Add the spec, or move the folder out of src/.',
  );
});

it('GIT_COMMIT (here from .env) naming another commit than HEAD says where the version came from', () => {
  const other = project.git('commit-tree', '-m', 'elsewhere', `${project.head}^{tree}`);
  writeFileSync(path.join(project.root, '.env'), `GIT_COMMIT=${other}\n`);
  appendFileSync(path.join(project.root, '.git', 'info', 'exclude'), '.env\n');

  expect(prepare({ DOTENV_CONFIG_PATH: '' })).toBe(
    `GIT_COMMIT (from ${path.join(project.root, '.env')}) is ${other.slice(0, 12)}, but this checkout is at ${project.head.slice(0, 12)}, where the contract tests ran: unset GIT_COMMIT (the version is then HEAD), or check out the commit it names and run the tests there.`,
  );
});

it('an untracked CI cache folder (npm ci --cache .npm): advice that works, and names shown as they are', () => {
  mkdirSync(path.join(project.root, '.npm'));
  writeFileSync(path.join(project.root, '.npm', 'index'), 'x');
  writeFileSync(path.join(project.root, 'größe.txt'), 'x');

  const message = refusalOf(() => resolveConsumerVersion({}, project.pactDir));

  expect(message).toBe(
    'The working tree has uncommitted changes (.npm/ (untracked), größe.txt (untracked)): commit or remove what you changed, and add untracked folders that CI creates (a cache such as .npm/) to .gitignore: git stash does not take untracked files; then run the tests again and publish.',
  );
});

it('no git on PATH (a slim CI image) is said as such, not as "not a git checkout"', async () => {
  const run = await runScriptIn(project.root, 'publish:pact', ['--dry-run'], {
    ...BROKER,
    PATH: path.join(project.root, 'no-such-bin'),
  });

  expect(run.stderr.trim()).toBe(
    '✗ git is not on PATH (slim CI images often lack it): install git in the image, so the commit and a clean tree can be checked.',
  );
  expect(run.code).toBe(2);
});

it('a username containing ":" is refused up front: basic auth cannot carry it', () => {
  expect(refusalOf(() => readBrokerConfig({ ...BROKER, BROKER_USERNAME: 'ci:publisher' }))).toBe(
    'BROKER_USERNAME contains ":", which HTTP basic auth cannot carry in a user name: use the broker user\'s exact name, or a token.',
  );
});

it('.env: an unquoted "#" in a value, which dotenv would cut off as a comment, is refused by name; a quoted one is read whole', () => {
  const file = path.join(project.root, '.env');
  writeFileSync(file, 'BROKER_USERNAME=writer\nBROKER_PASSWORD=Xq7#k9-secret # the password\n');

  const message = refusalOf(() => loadEnv({}, project.root));
  writeFileSync(file, 'BROKER_USERNAME=writer\nBROKER_PASSWORD="Xq7#k9-secret" # the password\n');

  expect(message).toBe(
    `BROKER_PASSWORD in ${file} has a "#" inside its unquoted value, which .env reads as the start of a comment: quote the value, e.g. BROKER_PASSWORD="…#…".`,
  );
  expect(loadEnv({}, project.root).BROKER_PASSWORD).toBe('Xq7#k9-secret');
  rmSync(file);
});

it("a pull request's merge commit is refused; the PR's head commit checked out is not", () => {
  const pullRequest = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_HEAD_REF: 'feature' };

  expect(prepare({ ...pullRequest, GITHUB_SHA: project.head })).toMatch(
    /^HEAD is GitHub's merge commit of the pull request \(GITHUB_EVENT_NAME=pull_request\): check out the PR's head commit \(actions\/checkout with ref: \$\{\{ github\.event\.pull_request\.head\.sha \}\}\)/,
  );
  expect(() => prepareStep({ ...pullRequest, GITHUB_SHA: 'f'.repeat(40) })).not.toThrow();
});
