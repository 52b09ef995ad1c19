import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readBrokerConfig } from '../../scripts/lib/broker-config';
import { prepareBrokerStep } from '../../scripts/lib/broker-step';
import { resolveConsumerVersion } from '../../scripts/lib/consumer-version';
import { ProvenanceRun } from '../../scripts/lib/provenance';
import { loadEnv } from '../../scripts/lib/script';
import { discoverConsumers, projectConsumers } from '../../scripts/lib/project';
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

it('a folder with no consumers at all (a step run outside the project) is refused in one line', () => {
  expect(refusalOf(() => projectConsumers(path.join(project.root, 'src')))).toBe(
    'This project has no consumers (no src/consumer-*/pacticipant.ts): run the step from the project folder.',
  );
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

describe(".env follows dotenv's grammar (#24)", () => {
  const envFile = (text: string) => {
    writeFileSync(path.join(project.root, '.env'), text);
    return path.join(project.root, '.env');
  };

  it('a quoted multi-line value is one value, whatever its lines hold', () => {
    envFile('BROKER_PASSWORD="first line\nX=a#b"\nGIT_BRANCH=main\n');

    expect(loadEnv({}, project.root)).toMatchObject({ BROKER_PASSWORD: 'first line\nX=a#b', GIT_BRANCH: 'main' });
  });

  it.each([
    ['KEY: value, which dotenv reads too', 'BROKER_PASSWORD: S3cr3t#tail'],
    ['a value of odd quotes, which dotenv reads unquoted', "BROKER_PASSWORD='S3cr''et#tail'"],
    ['"#" right after the closing quote', 'BROKER_PASSWORD="S3cr3t"#tail'],
  ])('%s, is refused when "#" would cut its value', (_case, line) => {
    const file = envFile(`BROKER_USERNAME: writer\n${line}\n`);

    expect(refusalOf(() => loadEnv({}, project.root))).toBe(
      `BROKER_PASSWORD in ${file} has a "#" inside its unquoted value, which .env reads as the start of a comment: quote the value, e.g. BROKER_PASSWORD="…#…".`,
    );
  });

  it('a comment after a space, or after an empty value, is a comment', () => {
    envFile('GIT_BRANCH=main # the branch\nPACT_DIR= # the default\n');

    expect(loadEnv({}, project.root)).toMatchObject({ GIT_BRANCH: 'main', PACT_DIR: '' });
  });
});

describe('the clean-tree check covers every tracked file (#24)', () => {
  it('a pacts folder that holds tracked files (PACT_DIR=tests/contracts) is refused in one line, by the contract run too', () => {
    const specs = path.join(project.root, 'tests', 'contracts');
    const pact = path.join(specs, 'fixture_one-aggregator.json');
    const run = new ProvenanceRun(project.root, specs);
    run.claim([pact]);
    writeFileSync(pact, fixturePact('fixture_one'));

    expect(run.vouch([pact])).toEqual([
      expect.stringMatching(
        /^fixture_one-aggregator\.json has no provenance record, so the pipeline steps will refuse it: The pacts folder tests\/contracts\/ holds tracked files/,
      ),
    ]);
    expect(prepare({ PACT_DIR: 'tests/contracts' })).toBe(
      'The pacts folder tests/contracts/ holds tracked files (tests/contracts/consumer-a.pact.test.ts), which the clean-tree check would have to pass over: pacts are output, so set PACT_DIR to a folder of their own (the default is pacts/, ignored by git).',
    );
  });

  it('a tracked file changed beside the pacts folder makes the tree dirty; untracked output in it does not', () => {
    const out = path.join(project.root, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'output of some run\n');
    appendFileSync(path.join(project.root, 'tests', 'contracts', 'consumer-a.pact.test.ts'), '// an edit\n');

    expect(refusalOf(() => resolveConsumerVersion({}, out, project.root))).toMatch(
      /^The working tree has uncommitted changes \(tests\/contracts\/consumer-a\.pact\.test\.ts\)/,
    );
  });
});

describe('secrets are screened by value, whatever they look like (#24)', () => {
  it('a password shorter than 8 characters is refused up front, naming the variable only', () => {
    const text = refusalOf(() => readBrokerConfig({ ...BROKER, BROKER_PASSWORD: 'pact' }));

    expect(text).toMatch(/^BROKER_PASSWORD is shorter than 8 characters: /);
    expect(text).not.toContain("'pact'");
  });

  it('a letters-only password used as GIT_BRANCH or a --tag is refused, never shown, even in a dry run', async () => {
    const password = 'lettersonlypassword';
    const env = { ...BROKER, BROKER_PASSWORD: password, GIT_COMMIT: project.head };
    const runs = await Promise.all([
      runScriptIn(project.root, 'publish:pact', ['--dry-run'], { ...env, GIT_BRANCH: password }),
      runScriptIn(project.root, 'publish:pact', ['--dry-run', '--tag', password], { ...env, GIT_BRANCH: 'main' }),
    ]);

    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/holds the value of BROKER_PASSWORD/);
      expect(run.output).not.toContain(password);
    }
  });
});
