import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { startFaultServer, type FaultServer } from './misbehaving-broker';
import {
  createFixtureProject,
  fixturePact,
  inheritedEnv,
  runScriptIn,
  scriptFile,
  type FixtureProject,
} from './fixture-project';
import { unusedUrl } from '../clients/fixture-server';

// The scripts end to end, as processes, on a fixture project: only what needs a real process (npm's own
// flags, exit codes, stdout/stderr). Every case checks that nothing reached the broker (a fault server
// that would answer 503 to anything).

let project: FixtureProject;
let broker: FaultServer;
let env: Record<string, string>;

beforeEach(async () => {
  project = createFixtureProject();
  broker = await startFaultServer({ kind: 'status', status: 503 });
  env = {
    PACT_BROKER_URL: broker.url,
    BROKER_USERNAME: 'writer',
    BROKER_PASSWORD: 'pact-writer-password',
    GIT_BRANCH: 'main',
  };
});
afterEach(async () => {
  await broker.close();
  project.remove();
});

/** `npm run <script> <npm args>` in the fixture project, whose package.json runs this repo's script. */
function npmRun(
  script: string,
  npmArgs: string[],
  childEnv: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const tsx = require.resolve('tsx');
  writeFileSync(
    path.join(project.root, 'package.json'),
    JSON.stringify({
      name: 'fixture',
      private: true,
      scripts: { [script]: `node --import ${tsx} ${scriptFile(script)}` },
    }),
  );
  // Not part of the fixture's commit: keep the tree clean as the steps require.
  appendFileSync(path.join(project.root, '.git', 'info', 'exclude'), 'package.json\n');
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', script, ...npmArgs],
      { cwd: project.root, env: { ...inheritedEnv(), DOTENV_CONFIG_PATH: '/dev/null', ...childEnv } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: `${stdout}\n${stderr}`,
        }),
    );
  });
}

it("npm run publish:pact --dry-run (npm's own flag) is a dry run, needs no credentials, and sends nothing", async () => {
  const run = await npmRun('publish:pact', ['--dry-run'], { PACT_BROKER_URL: broker.url, GIT_BRANCH: 'main' });

  expect(run.output).toContain('Dry run: nothing was sent to the broker.');
  expect(run.code).toBe(0);
  expect(broker.requests).toEqual([]);
});

it('npm run publish:pact --tag=prod (before --, so npm keeps it) is refused, not published without the tag', async () => {
  const run = await npmRun('publish:pact', ['--tag=prod'], env);

  expect(run.code).toBe(2);
  expect(run.output).toContain(
    "✗ npm took --tag for itself (it came before --, and reached the script only as npm_config_tag): put the script's flags after --.",
  );
  expect(broker.requests).toEqual([]);
});

it.each([
  ['publish:pact', ['--tag=--help'], /--tag "--help" starts with "-"/],
  ['publish:pact', ['--tag=--skip-ssl-verification'], /--tag "--skip-ssl-verification" starts with "-"/],
  ['can-i-deploy', ['--to-environment=--help'], /--to-environment "--help" starts with "-"/],
  [
    'record-deployment',
    ['--environment', 'production', '--application-instance=--help'],
    /--application-instance "--help" starts with "-"/,
  ],
  ['stub:aggregator', ['--port', '1', '--provider-state=--help'], /--provider-state "--help" starts with "-"/],
])('%s %j exits 2 with one line and sends nothing', async (script, args, message) => {
  const run = await runScriptIn(project.root, script, args, env);

  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(broker.requests).toEqual([]);
});

it.each([
  [
    'a foreign pact',
    (p: FixtureProject) =>
      writeFileSync(path.join(p.pactDir, 'evil_consumer-aggregator.json'), fixturePact('evil_consumer')),
    /evil_consumer-aggregator\.json is a pact of "evil_consumer"/,
  ],
  [
    'a hand-edited pact',
    (p: FixtureProject) =>
      writeFileSync(p.pactOf('fixture_one'), fixturePact('fixture_one', 'aggregator', { edited: true })),
    /changed after the contract tests' run [0-9a-f]{8} wrote it/,
  ],
  ['a GIT_BRANCH with a newline', () => undefined, /GIT_BRANCH contains a newline/],
  // Reading a FIFO would block for ever (and /dev/zero never ends): only regular files are read.
  [
    'a FIFO named like a pact',
    (p: FixtureProject) => execFileSync('mkfifo', [path.join(p.pactDir, 'stray.json')]),
    /stray\.json is not a regular file/,
  ],
])('each step refuses %s before sending anything', async (_case, spoil, message) => {
  spoil(project);
  const childEnv = _case.includes('GIT_BRANCH') ? { ...env, GIT_BRANCH: 'main\nevil' } : env;

  // The three steps at once: each refuses on its own, and none may send anything.
  const steps = [
    ['publish:pact', []],
    ['can-i-deploy', ['--to-environment', 'production']],
    ['record-deployment', ['--environment', 'production']],
  ] as const;
  const runs = await Promise.all(steps.map(([script, args]) => runScriptIn(project.root, script, [...args], childEnv)));

  for (const run of runs) {
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  }
  expect(broker.requests).toEqual([]);
});

it('stub:aggregator says in one line that its port is in use', async () => {
  const port = Number(new URL(broker.url).port);

  const run = await runScriptIn(project.root, 'stub:aggregator', ['--port', String(port)], {});

  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe(
    `✗ Port ${port} is already in use: stop what listens there, or choose another with -- --port <n>.`,
  );
});

it('stub:aggregator refuses a --provider-state pattern pact stub rejects in one line, with no banner', async () => {
  const port = Number(new URL(await unusedUrl()).port);

  const run = await runScriptIn(project.root, 'stub:aggregator', ['--port', String(port), '--provider-state', '('], {});

  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe(
    '✗ --provider-state "(" is not a regular expression pact stub accepts (error: unclosed group): fix the pattern.',
  );
  expect(run.stdout).not.toContain('Stub aggregator on');
});
