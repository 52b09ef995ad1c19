import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CountryDirectoryClient } from '../../src/consumer-a/country-directory-client';
import { PerCapitaClient } from '../../src/consumer-b/per-capita-client';
import { unusedUrl } from '../clients/fixture-server';
import { PROJECT_ROOT, contractSpecs, runContractSpecs } from '../pact-files/run-specs';
import { inheritedEnv } from '../pipeline/fixture-project';

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));

// `npm run stub:aggregator` serves our pacts with `pact stub`: both clients must work against it as
// they would against the aggregator, and it must stop cleanly.

let pactDir: string;
let stub: ChildProcess | undefined;
let baseUrl: string;
/** What npm run stub:aggregator printed, stdout and stderr together. */
let output = '';

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

beforeAll(async () => {
  pactDir = tempDir('stub-pacts');
  await runContractSpecs(pactDir, ...contractSpecs());
  baseUrl = await unusedUrl();
  const port = Number(new URL(baseUrl).port);
  // Its own process group, so the test can stop npm and everything it started at once, as Ctrl+C does.
  stub = spawn('npm', ['run', 'stub:aggregator', '--', '--port', String(port)], {
    cwd: PROJECT_ROOT,
    env: { ...inheritedEnv(), PACT_DIR: pactDir },
    detached: true,
    // Piped, as into a log file: not a terminal.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stub.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  stub.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await waitFor(() => canConnect(port), `the stub on port ${port}`);
});

afterAll(() => {
  // Only if a test failed before stopping it.
  if (stub?.pid) process.kill(-stub.pid, 'SIGTERM');
});

describe('the stub aggregator', () => {
  it('serves consumer-a its country list, a known country and "not found"', async () => {
    const directory = new CountryDirectoryClient(baseUrl);

    await expect(directory.listCountries()).resolves.toEqual([{ code: 'IND', name: 'India', population: 1353200000 }]);
    await expect(directory.getCountry('IND')).resolves.toEqual({
      code: 'IND',
      name: 'India',
      population: 1353200000,
      latestTotalCases: 44690738,
      diffFromPrevDay: 1326,
    });
    await expect(directory.getCountry('QQQ')).resolves.toBeNull();
  });

  it('serves consumer-b its ranking', async () => {
    await expect(new PerCapitaClient(baseUrl).highestPerCapita(5)).resolves.toEqual([
      { code: 'IND', name: 'India', population: 1353200000, percentCases: 0.033025966351611 },
    ]);
  });

  it('lets a request choose a provider state by header (the empty ranking)', async () => {
    const response = await fetch(`${baseUrl}/countries/percapita`, {
      headers: { Accept: 'application/json', 'Pact-Provider-State': 'no countries exist' },
    });

    expect(await response.json()).toEqual([]);
  });

  it('logs a plain line for a request the contracts do not describe, and nothing for one they do', async () => {
    const logged = output.length;
    await fetch(`${baseUrl}/countries`, { headers: { Accept: 'application/json' } });
    await fetch(`${baseUrl}/not-in-any-contract`);

    await waitFor(() => Promise.resolve(output.includes('/not-in-any-contract')), 'the log line');
    const lines = output
      .slice(logged)
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      expect.stringMatching(/WARN .*No matching request found for path \/not-in-any-contract, sending 404 Not Found$/),
    ]);
    // No colour codes in a log that is not a terminal.
    expect(output).not.toContain('\u001b[');
  });

  it('stops, port and all, when only npm is stopped (SIGTERM to npm alone, as a CI runner or a supervisor sends it)', async () => {
    const port = Number(new URL(baseUrl).port);
    const exited = new Promise<number | null>((resolve) => stub?.once('exit', resolve));
    // The npm process alone, not its group: what it started must stop with it.
    stub?.kill('SIGTERM');

    await exited;
    await waitFor(async () => !(await canConnect(port)), 'the port to close');
    stub = undefined;
    // Says so, as broker:start does.
    expect(output.trimEnd().split('\n').at(-1)).toBe('Stub aggregator stopped.');
  });
});
