import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT, pactFileName } from '../../scripts/lib/project';
import { unusedUrl } from '../clients/fixture-server';
import { inheritedEnv } from '../pipeline/fixture-project';

// `npm run stub:aggregator` as a team runs it, in a project of two fixture consumers whose pacts this test writes: both
// ask `GET /countries` and rely on different answers, as two real consumers of one endpoint do. Each gets its own
// contract, on its own port; a header picks among one consumer's interactions; the stub stops cleanly.

interface FixtureInteraction {
  description: string;
  providerState?: string;
  path: string;
  body: unknown;
}

/** A pact as pact-js writes it (V4), reduced to what pact stub reads. */
const pact = (consumer: string, interactions: FixtureInteraction[]) =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: 'aggregator' },
    interactions: interactions.map(({ description, providerState, path: requestPath, body }) => ({
      type: 'Synchronous/HTTP',
      description,
      providerStates: providerState ? [{ name: providerState }] : [],
      request: { method: 'GET', path: requestPath },
      response: {
        status: 200,
        headers: { 'Content-Type': ['application/json'] },
        body: { contentType: 'application/json', encoded: false, content: body },
      },
    })),
    metadata: { pactSpecification: { version: '4.0' } },
  });

const LIST_A = [{ code: 'AAA', name: 'A-land' }];
const LIST_B = [{ code: 'BBB', name: 'B-land', population: 7 }];

/** A project of the repo's shape: its consumers, their pacts, package.json's stub:aggregator line, the real tool. */
function fixtureProject(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stub-project-'));
  const { scripts } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ private: true, scripts: { 'stub:aggregator': scripts['stub:aggregator'] } }),
  );
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  symlinkSync(path.join(PROJECT_ROOT, 'tools'), path.join(root, 'tools'), 'dir');
  mkdirSync(path.join(root, 'tests', 'contracts'), { recursive: true });
  mkdirSync(path.join(root, 'pacts'));
  const consumers: [string, FixtureInteraction[]][] = [
    ['fixture_a', [{ description: 'a request for all countries', path: '/countries', body: LIST_A }]],
    [
      'fixture_b',
      [
        { description: 'a request for all countries', path: '/countries', body: LIST_B },
        { description: 'a ranking', providerState: 'countries exist', path: '/ranking', body: LIST_B },
        { description: 'an empty ranking', providerState: 'no countries exist', path: '/ranking', body: [] },
      ],
    ],
  ];
  for (const [pacticipant, interactions] of consumers) {
    const folder = pacticipant.replace('fixture_', 'consumer-');
    mkdirSync(path.join(root, 'src', folder), { recursive: true });
    writeFileSync(
      path.join(root, 'src', folder, 'pacticipant.ts'),
      `export const PACTICIPANT = ${JSON.stringify(pacticipant)};\n`,
    );
    writeFileSync(path.join(root, 'tests', 'contracts', `${folder}.pact.test.ts`), '// its contract spec\n');
    writeFileSync(path.join(root, 'pacts', pactFileName(pacticipant)), pact(pacticipant, interactions));
  }
  return root;
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (await condition()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Two ports in a row that nothing listens on: the stub takes --port and the next one. */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const port = Number(new URL(await unusedUrl()).port);
    if (port < 65535 && !(await canConnect(port + 1))) return port;
  }
}

/** `npm run stub:aggregator -- <args>` in `root`, in its own process group, piped as into a log file. */
function startStub(root: string, args: string[]): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn('npm', ['run', 'stub:aggregator', '--', ...args], {
    cwd: root,
    env: { ...inheritedEnv(), DOTENV_CONFIG_PATH: '/dev/null' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

const getJson = async (url: string, headers: Record<string, string> = {}) =>
  (await fetch(url, { headers: { Accept: 'application/json', ...headers } })).json();

let root: string;
let port: number;
let stub: ReturnType<typeof startStub> | undefined;
const urlOf = (offset: number) => `http://127.0.0.1:${port + offset}`;

beforeAll(async () => {
  root = fixtureProject();
  port = await twoFreePorts();
  stub = startStub(root, ['--port', String(port)]);
  await waitFor(() => Promise.resolve(stub?.output().includes('Ctrl+C stops it.') ?? false), 'the stub to listen');
});

afterAll(() => {
  // Only if a test failed before stopping it.
  if (stub?.child.pid && stub.child.exitCode === null) process.kill(-stub.child.pid, 'SIGTERM');
  rmSync(root, { recursive: true, force: true });
});

describe('the stub aggregator', () => {
  it('serves each consumer its own contract on its own port, a request they share included, and says where', async () => {
    expect(await getJson(`${urlOf(0)}/countries`)).toEqual(LIST_A);
    expect(await getJson(`${urlOf(1)}/countries`)).toEqual(LIST_B);
    // Consumers in the order of their folders, from --port on.
    expect(stub?.output()).toContain(
      [
        `  fixture_a: ${urlOf(0)} (1 interaction)`,
        `  fixture_b: ${urlOf(1)} (3 interactions)`,
        'Ctrl+C stops it.',
      ].join('\n'),
    );
  });

  it("lets a request choose among its consumer's interactions by provider state, with a header", async () => {
    expect(await getJson(`${urlOf(1)}/ranking`, { 'Pact-Provider-State': 'no countries exist' })).toEqual([]);
    expect(await getJson(`${urlOf(1)}/ranking`, { 'Pact-Provider-State': '^countries exist' })).toEqual(LIST_B);
  });

  it('logs one plain line, naming the consumer, for a request its contract does not describe, and nothing for one it does', async () => {
    const logged = stub?.output().length ?? 0;
    await getJson(`${urlOf(0)}/countries`);
    await getJson(`${urlOf(1)}/countries`);
    await fetch(`${urlOf(0)}/not-in-any-contract`);

    await waitFor(() => Promise.resolve(stub?.output().includes('/not-in-any-contract') ?? false), 'the log line');
    const lines = (stub?.output() ?? '')
      .slice(logged)
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[fixture_a\] .*WARN .*No matching request found for path \/not-in-any-contract, sending 404 Not Found$/,
      ),
    ]);
    // No colour codes in a log that is not a terminal.
    expect(stub?.output()).not.toContain('\u001b[');
  });

  it('stops, every port, when only npm is stopped (SIGTERM to npm alone, as a CI runner or a supervisor sends it)', async () => {
    const exited = new Promise<number | null>((resolve) => stub?.child.once('exit', resolve));
    // The npm process alone, not its group: what it started must stop with it.
    stub?.child.kill('SIGTERM');

    await exited;
    await waitFor(async () => !(await canConnect(port)) && !(await canConnect(port + 1)), 'the ports to close');
    // Says so, as broker:start does.
    expect(stub?.output().trimEnd().split('\n').at(-1)).toBe('Stub aggregator stopped.');
  });

  it('serves one consumer on --port with --consumer, needing only its pact', async () => {
    rmSync(path.join(root, 'pacts', pactFileName('fixture_a')));
    const one = startStub(root, ['--port', String(port), '--consumer', 'fixture_b']);
    try {
      await waitFor(() => Promise.resolve(one.output().includes('Ctrl+C stops it.')), 'the stub to listen');

      expect(await getJson(`${urlOf(0)}/countries`)).toEqual(LIST_B);
      expect(one.output()).not.toContain('fixture_a');
    } finally {
      if (one.child.pid) process.kill(-one.child.pid, 'SIGTERM');
      await new Promise((resolve) => one.child.once('exit', resolve));
    }
  });
});
