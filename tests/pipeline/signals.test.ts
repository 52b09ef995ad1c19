import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFixtureProject, inheritedEnv, scriptFile, type FixtureProject } from './fixture-project';
import { halIndex, startFaultServer, type FaultServer } from './misbehaving-broker';

// A signal to a step stops every process it started and removes its temporary files, then the step exits
// 128 + the signal's number. Deterministic: each case waits for the broker to hold the pact CLI's publication
// (the evidence that the CLI runs and the private copy exists), never on a sleep.

/** The pids of pact CLI processes publishing to `url`, from /proc. */
function cliProcesses(url: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--broker-base-url=${url}`);
      } catch {
        return false;
      }
    });
}

/** The step's temporary files in `dir` (tsx keeps its cache there too). */
const copies = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('publish-pact-'));

let project: FixtureProject;
let tmp: string;
let broker: FaultServer;
beforeEach(async () => {
  project = createFixtureProject();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'signal-tmp-'));
  // It answers the index, then holds the publication until the test ends.
  broker = await startFaultServer({
    kind: 'scripted',
    answer: (request, url) => (request.url === '/' ? halIndex(url) : new Promise(() => undefined)),
  });
});
afterEach(async () => {
  await broker.close();
  project.remove();
  rmSync(tmp, { recursive: true, force: true });
});

it.each([
  ['SIGINT', 130, 'the script'],
  ['SIGTERM', 143, 'the script'],
  ['SIGHUP', 129, 'the script'],
  ['SIGINT', 130, 'its whole process group, as Ctrl+C does'],
] as const)(
  '%s to publish:pact while the CLI publishes: no CLI left, no copy of the pact left, exit %i (sent to %s)',
  async (signal, code, target) => {
    const child = spawn(process.execPath, ['--import', require.resolve('tsx'), scriptFile('publish:pact')], {
      cwd: project.root,
      env: {
        ...inheritedEnv(),
        DOTENV_CONFIG_PATH: '/dev/null',
        TMPDIR: tmp,
        PACT_BROKER_URL: broker.url,
        BROKER_USERNAME: 'writer',
        BROKER_PASSWORD: 'Pa55-w0rd-never-printed',
        GIT_BRANCH: 'main',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = once(child, 'close');
    await broker.received(2);
    expect(cliProcesses(broker.url)).toHaveLength(1);
    expect(copies(tmp)).toHaveLength(1);

    process.kill(target === 'the script' ? (child.pid as number) : -(child.pid as number), signal);
    const [exit] = (await closed) as [number | null];

    expect(exit).toBe(code);
    expect(cliProcesses(broker.url)).toEqual([]);
    expect(copies(tmp)).toEqual([]);
  },
);
