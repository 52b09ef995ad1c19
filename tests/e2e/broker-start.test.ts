import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runNpmScript } from '../pipeline/run-npm-script';
import { freePort } from './real-broker';
import { PROJECT_ROOT } from '../../scripts/lib/project';

// `npm run broker:start` as users run it: through npm, users in the environment, stopped by a signal.

const READ_WRITE = { BROKER_USERNAME: 'e2e-writer', BROKER_PASSWORD: 'rw-secret-8d1f0c' };
const READ_ONLY = { BROKER_READ_ONLY_USERNAME: 'e2e-reader', BROKER_READ_ONLY_PASSWORD: 'ro-secret-77a9e2' };
const SECRETS = [READ_WRITE.BROKER_PASSWORD];

/** Every process's command line, from /proc. */
function commandLines(): { pid: number; argv: string }[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        return [{ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') }];
      } catch {
        return []; // ended meanwhile
      }
    });
}

/** The npm this test runs under (its own shebang finds node on PATH). */
function npmOnPath(): string {
  const found = (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, 'npm'))
    .find((file) => existsSync(file));
  if (!found) throw new Error('npm is not on PATH');
  return found;
}

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The status of GET `url`, or undefined when nothing answers within a second. */
async function status(url: string, authorization?: string): Promise<number | undefined> {
  const headers = { Connection: 'close', ...(authorization && { Authorization: authorization }) };
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(1000) }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status;
}

describe('npm run broker:start', () => {
  let run: ChildProcess | undefined;
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'broker-start-'));
  });
  afterEach(() => {
    // Only if a test failed half-way: the npm process group we started.
    if (run?.pid !== undefined && run.exitCode === null) process.kill(-run.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the broker with one user on the given port until SIGTERM, then leaves nothing running', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    run = spawn('npm', ['run', 'broker:start', '--', '--port', String(port), '--data-dir', dataDir], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DOTENV_CONFIG_PATH: '/dev/null', ...READ_WRITE },
      // Its own process group, so a failing test can still clean up everything npm started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    run.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    run.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => run?.on('close', (code) => resolve(code)));

    const deadline = Date.now() + 90_000;
    while (!output.includes(`Pact Broker on ${url}`) && run.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain(
      `Pact Broker on ${url} (data in ${dataDir}/). Log in to its UI as ${READ_WRITE.BROKER_USERNAME}, its read/write user.`,
    );

    expect(await status(`${url}/diagnostic/status/heartbeat`)).toBe(200);
    expect(await status(`${url}/`, basic(READ_WRITE.BROKER_USERNAME, READ_WRITE.BROKER_PASSWORD))).toBe(200);
    expect(await status(`${url}/`, basic(READ_WRITE.BROKER_USERNAME, 'wrong'))).toBe(401);
    expect(existsSync(path.join(dataDir, 'pact_broker.sqlite3'))).toBe(true);

    // While it runs: the puma process is bound to 127.0.0.1 only, and no command line holds a password.
    const running = commandLines();
    const puma = running.filter((process) => process.argv.includes(`tcp://127.0.0.1:${port}`));
    expect(puma.length).toBe(1);
    for (const secret of SECRETS) expect(running.filter((process) => process.argv.includes(secret))).toEqual([]);

    // As a process manager would: SIGTERM to npm only.
    process.kill(run.pid as number, 'SIGTERM');
    await exited;

    const leftOver = () =>
      commandLines().filter(
        (process) =>
          process.argv.includes(`tcp://127.0.0.1:${port}`) || process.argv.includes(`start.ts --port ${port}`),
      );
    // npm exits as soon as it has passed the signal on; give the broker its graceful stop.
    const gone = Date.now() + 15_000;
    while (leftOver().length > 0 && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(leftOver()).toEqual([]);
    expect(await status(`${url}/diagnostic/status/heartbeat`)).toBeUndefined();
    expect(output).toMatch(/Stopping the Pact Broker\.\.\.\n(.|\n)*Pact Broker stopped\./);
    for (const secret of SECRETS) expect(output).not.toContain(secret);
  });

  it('refuses a read-only user named like the read/write user: one line, exit 2', async () => {
    const result = await runNpmScript('broker:start', ['--data-dir', dataDir], {
      ...READ_WRITE,
      ...READ_ONLY,
      BROKER_READ_ONLY_USERNAME: READ_WRITE.BROKER_USERNAME,
    });
    expect(result.code).toBe(2);
    const ours = result.stderr.split('\n').filter((line) => line.startsWith('✗'));
    expect(ours).toEqual([
      '✗ The read-only user (BROKER_READ_ONLY_USERNAME) is the same as the read/write user (BROKER_USERNAME): give the read-only user another name, or unset it.',
    ]);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('refuses to start without the read/write user: one line, exit 2', async () => {
    const result = await runNpmScript('broker:start', ['--data-dir', dataDir], {
      ...READ_ONLY,
      BROKER_USERNAME: 'only-a-name',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^✗ The broker's read\/write user is not set: set BROKER_PASSWORD \(or PACT_BROKER_PASSWORD\), in the environment or in .env.$/m,
    );
  });

  it('refuses a port that is in use: one line, exit 2, nothing started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runNpmScript('broker:start', ['--port', String(port), '--data-dir', dataDir], {
        ...READ_WRITE,
        ...READ_ONLY,
      });
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('✗'))).toEqual([
        `✗ Port ${port} on 127.0.0.1 is already in use (another broker?): stop that, or pick another port with --port <n>.`,
      ]);
      expect(commandLines().filter((process) => process.argv.includes(`tcp://127.0.0.1:${port}`))).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('says in one line what to install when Ruby is not on PATH', async () => {
    // A PATH with only what npm needs (node, npm, sh for the script line): no ruby, no bundle. Not /bin:
    // on merged-/usr Debian it holds ruby too.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'node-only-'));
    try {
      symlinkSync(process.execPath, path.join(bin, 'node'));
      symlinkSync(realpathSync(npmOnPath()), path.join(bin, 'npm'));
      symlinkSync('/bin/sh', path.join(bin, 'sh'));
      const result = await runNpmScript('broker:start', ['--data-dir', dataDir], {
        ...READ_WRITE,
        ...READ_ONLY,
        PATH: bin,
      });
      expect(result.code).not.toBe(0);
      const ours = result.stderr.split('\n').filter((line) => line.startsWith('✗'));
      expect(ours).toEqual([
        '✗ ruby not found on PATH. The Pact Broker runs on Ruby: install Ruby and a C compiler (Debian/Ubuntu: sudo apt-get install ruby-full build-essential libyaml-dev), or run the broker with Docker instead: docker compose up -d',
      ]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
