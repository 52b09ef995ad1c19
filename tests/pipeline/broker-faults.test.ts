import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrokerConfig } from '../../scripts/lib/broker-config';
import type { BrokerStep } from '../../scripts/lib/broker-step';
import type { Clock } from '../../scripts/lib/clock';
import { askUntilKnown, canIDeploy, recordDeployments, type Question } from '../../scripts/lib/deploy';
import { describeBrokerFailure, distinctiveSecrets, runPactCli, screened, type CliRun } from '../../scripts/lib/pact-cli';
import { publishPacts } from '../../scripts/lib/publish';
import { startFaultServer, type FaultServer } from './misbehaving-broker';
import { fixturePact } from './fixture-project';
import { unusedUrl } from '../clients/fixture-server';

let pactDir: string;
beforeAll(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'fault-pacts-'));
  for (const name of ['fixture_one', 'fixture_two']) writeFileSync(path.join(pactDir, `${name}-aggregator.json`), fixturePact(name));
});
afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

// Broker faults a real broker does not produce, from small local servers (misbehaving-broker.ts),
// through the real pact CLI; and the steps' own logic (waits, confirmations, what is printed) in-process.

const PASSWORD = 'Pa55-w0rd-that-must-never-print';
const VERSION = 'c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ff';

const basic = (url: string, overrides: Partial<BrokerConfig> = {}): BrokerConfig => ({
  baseUrl: url,
  auth: { kind: 'basic', username: 'writer', password: PASSWORD, usernameVariable: 'BROKER_USERNAME', passwordVariable: 'BROKER_PASSWORD' },
  attempts: 1,
  timeoutSeconds: 10,
  ...overrides,
});
const token = (url: string): BrokerConfig => ({ ...basic(url), auth: { kind: 'token', token: 'tok-0123456789', tokenVariable: 'PACT_BROKER_TOKEN' } });

function stepFor(config: BrokerConfig, consumers = ['fixture_one', 'fixture_two']): BrokerStep {
  return {
    broker: config,
    version: { number: VERSION, numberSource: 'GIT_COMMIT', branch: 'main' },
    consumers: consumers.map((name) => ({
      consumer: { folder: `consumer-${name}`, pacticipant: name, pactFile: `${name}-aggregator.json`, spec: `tests/contracts/consumer-${name}.pact.test.ts` },
      pact: { path: path.join(pactDir, `${name}-aggregator.json`), consumer: name, provider: 'aggregator', interactions: 1, bytes: 100 },
    })),
  };
}

/** Runs `action` with log lines collected; the lines never hold the password. */
async function collect(action: (deps: { log: (line: string) => void; error: (line: string) => void }) => Promise<number>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await action({ log: (line) => lines.push(line), error: (line) => lines.push(line) });
  expect(lines.join('\n')).not.toContain(PASSWORD);
  return { code, lines };
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the true cause of a broker failure, through the real pact CLI', () => {
  const publishOne = async (config: BrokerConfig) => collect((io) => publishPacts({ ...stepFor(config, ['fixture_one']) }, [], false, { clock: realClock, ...io }));

  it('a TLS certificate that fails verification (never skipped)', async () => {
    server = await startFaultServer({ kind: 'tls' });

    const { code, lines } = await publishOne(basic(server.url));

    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/the broker's TLS certificate at https:\/\/127\.0\.0\.1:\d+ failed verification \(DEPTH_ZERO_SELF_SIGNED_CERT\): .*set SSL_CERT_FILE/);
    expect(server.requests).toEqual([]);
  });

  it.each([
    [429, basic, /the broker kept answering 429 Too Many Requests \(rate limited\) to each of 1 attempt: wait a while/],
    [400, token, /answered 400 Bad Request to the bearer token: a broker with basic auth answers so to any other scheme\. Set BROKER_USERNAME and BROKER_PASSWORD instead of PACT_BROKER_TOKEN/],
    [404, basic, /answered 404 Not Found for \/: PACT_BROKER_URL \(http:\/\/127\.0\.0\.1:\d+\/broker\) is probably not the broker's root; check its path prefix/],
    [413, basic, /refused the request as too large \(413 Payload Too Large\)/],
  ])('%i', async (status, auth, message) => {
    server = await startFaultServer({ kind: 'status', status });

    const { code, lines } = await publishOne(auth(status === 404 ? `${server.url}/broker` : server.url));

    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(message);
  });

  it('a broker that keeps failing: 5xx to each attempt, retried, then one line', async () => {
    server = await startFaultServer({ kind: 'status', status: 503 });

    const { code, lines } = await publishOne(basic(server.url, { attempts: 2 }));

    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/the broker answered 503 Service Unavailable to each of 2 attempts: it is failing/);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('a broker that is down', async () => {
    const { code, lines } = await publishOne(basic(await unusedUrl()));

    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/could not reach the broker at http:\/\/127\.0\.0\.1:\d+ \(1 attempt\)/);
  });

  it('never puts a credential on the CLI\'s command line', async () => {
    server = await startFaultServer({ kind: 'silent' });
    let cmdline = '';
    const run = runPactCli(['broker', 'publish', '/nonexistent.json', `--broker-base-url=${server.url}`, '--consumer-app-version=1'], basic(server.url), Date.now() + 2000, {
      onSpawn: (pid) => {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      },
    });
    await run;

    expect(cmdline).toContain('broker');
    expect(cmdline).not.toContain(PASSWORD);
    expect(cmdline).not.toContain(Buffer.from(`writer:${PASSWORD}`).toString('base64'));
  });
});

describe('PACT_BROKER_TIMEOUT_SECONDS bounds the whole step', () => {
  it('can-i-deploy and record-deployment on a silent broker take one timeout for all consumers, not one each', async () => {
    server = await startFaultServer({ kind: 'silent' });
    const config = basic(server.url, { timeoutSeconds: 2 });

    for (const step of [
      (io: { log: (line: string) => void; error: (line: string) => void }) => canIDeploy(stepFor(config), 'production', { retries: 0, intervalSeconds: 1 }, { clock: realClock, ...io }),
      (io: { log: (line: string) => void; error: (line: string) => void }) => recordDeployments(stepFor(config), 'production', undefined, false, { clock: realClock, ...io }),
    ]) {
      const started = Date.now();
      const { code, lines } = await collect(step);
      const seconds = (Date.now() - started) / 1000;

      expect(code).toBe(1);
      expect(seconds).toBeLessThan(3.5);
      expect(lines.filter((line) => line.includes('did not answer within 2 s')).length).toBe(2);
    }
  });

  it('a broker that rate-limits with a long Retry-After: the cause is the 429, not silence', async () => {
    server = await startFaultServer({ kind: 'status', status: 429, headers: { 'Retry-After': '3600' } });
    const config = basic(server.url, { timeoutSeconds: 2, attempts: 2 });

    const { code, lines } = await collect((io) => publishPacts(stepFor(config), [], false, { clock: realClock, ...io }));

    expect(code).toBe(1);
    expect(lines[1]).toBe(
      '  ✗ fixture_one → aggregator: the broker is rate limiting (429 Too Many Requests, Retry-After: 3600 s), and the pact CLI waits as told, past PACT_BROKER_TIMEOUT_SECONDS (2 s): run the step again later, or ask the broker\'s operators about the limit.',
    );
  });

  it('asks every consumer at once and waits once per round for all of them, never past the deadline', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock: Clock = { now: () => now, sleep: (ms) => (sleeps.push(ms), (now += ms), Promise.resolve()) };
    const unknown: Question = { answer: { summary: { deployable: null, reason: 'no results' }, matrix: [] } };
    const asked: string[] = [];
    const lines: string[] = [];

    await askUntilKnown(['a', 'b', 'c'], (consumer) => (asked.push(consumer), Promise.resolve(unknown)), { retries: 10, intervalSeconds: 10, deadline: 25_000 }, { clock, log: (line) => lines.push(line) });

    // Two rounds of 10 s fit before the 25 s deadline; a third would not.
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(asked).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    expect(lines.at(-1)).toContain('no time left to wait within PACT_BROKER_TIMEOUT_SECONDS');
  });
});

describe('an exit 0 means exactly what it says', () => {
  const exited0 = (stdout: string): CliRun => ({ code: 0, stdout, stderr: '', timedOut: false });

  it('publish: the CLI printing its help and exiting 0 is a failure', async () => {
    const { code, lines } = await collect((io) => publishPacts(stepFor(basic('https://b.example.com')), [], false, { clock: realClock, ...io, run: () => Promise.resolve(exited0('Usage: pact broker publish [OPTIONS]')) }));

    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('exited 0 but did not confirm the publication');
    expect(lines.join('\n')).not.toContain('Published 2 of 2');
  });

  it('record-deployment and can-i-deploy: likewise', async () => {
    const config = basic('https://b.example.com');
    const recorded = await collect((io) => recordDeployments(stepFor(config), 'production', undefined, false, { clock: realClock, ...io, run: () => Promise.resolve(exited0('')) }));
    const asked = await collect((io) => canIDeploy(stepFor(config), 'production', { retries: 0, intervalSeconds: 1 }, { clock: realClock, ...io, run: () => Promise.resolve(exited0('Usage: …')) }));

    expect(recorded.code).toBe(1);
    expect(recorded.lines.join('\n')).toContain('did not confirm the recording');
    expect(asked.code).toBe(1);
    expect(asked.lines.join('\n')).toContain('exited 0 without a can-i-deploy answer');
  });

  it('can-i-deploy: a "yes" for a consumer version without its pact with the aggregator is a no', async () => {
    const matrixAnswer = (rows: { consumer: string; provider: string }[]) => (args: string[]) => {
      const consumer = args[args.indexOf('--pacticipant') + 1] as string;
      const matrix = rows.filter((row) => row.consumer === consumer).map((row) => ({
        consumer: { name: row.consumer, version: { number: VERSION } },
        provider: { name: row.provider, version: { number: 'p1' } },
        verificationResult: { success: true },
      }));
      return Promise.resolve(exited0(JSON.stringify({ summary: { deployable: true, reason: 'There are no missing dependencies' }, matrix })));
    };
    const config = basic('https://b.example.com');
    const ask = (run: (args: string[]) => Promise<CliRun>) => collect((io) => canIDeploy(stepFor(config), 'production', { retries: 0, intervalSeconds: 1 }, { clock: realClock, ...io, run }));

    // fixture_two's version exists in the broker, but nothing was published for it.
    const partly = await ask(matrixAnswer([{ consumer: 'fixture_one', provider: 'aggregator' }, { consumer: 'fixture_two', provider: 'another-service' }]));
    const covered = await ask(matrixAnswer([{ consumer: 'fixture_one', provider: 'aggregator' }, { consumer: 'fixture_two', provider: 'aggregator' }]));

    expect(partly.code).toBe(1);
    expect(partly.lines).toContain('  ✓ fixture_one: yes');
    expect(partly.lines.join('\n')).toContain(`✗ fixture_two: no: the broker holds no pact of fixture_two version ${VERSION} with aggregator`);
    expect(partly.lines.at(-1)).toBe('✗ Computer says no: fixture_two cannot be deployed to production.');
    expect(covered.code).toBe(0);
  });

  it('the CLI\'s own reason when it exits 2', () => {
    const run: CliRun = { code: 2, stdout: '', stderr: "error: unexpected argument '--bogus' found\n\nUsage: pact broker publish", timedOut: false };
    expect(describeBrokerFailure(run, basic('https://b.example.com'))).toBe("the pact CLI refused its arguments (exit 2): error: unexpected argument '--bogus' found");
  });
});

describe('secrets in output', () => {
  const cliSuccess = (consumer: string) =>
    [
      `✅ Created ${consumer} version ${VERSION} with branch main`,
      `Pact successfully published for ${consumer} version ${VERSION} and provider aggregator.`,
      `View the published pact at https://b.example.com/pacts/provider/aggregator/consumer/${consumer}/version/${VERSION}`,
    ].join('\n');

  const publishedOutput = async (password: string) => {
    const config: BrokerConfig = { ...basic('https://b.example.com'), auth: { kind: 'basic', username: 'writer', password, usernameVariable: 'BROKER_USERNAME', passwordVariable: 'BROKER_PASSWORD' } };
    const lines: string[] = [];
    const code = await publishPacts(stepFor(config), [], false, {
      clock: realClock,
      log: (line) => lines.push(line),
      error: (line) => lines.push(line),
      run: (args) => Promise.resolve({ code: 0, stdout: cliSuccess(String(/\/([^/]+)-aggregator\.json$/.exec(args[2] ?? '')?.[1])), stderr: '', timedOut: false }),
    });
    return { code, text: lines.join('\n') };
  };

  it.each(['pact', 'aggregator', 'version', 'main', 'broker', 'published'])('a password that is a common word (%j) mangles nothing and so reveals nothing', async (password) => {
    const reference = await publishedOutput('Xq7-random-Kp9-password');
    const weak = await publishedOutput(password);

    expect(weak.code).toBe(0);
    expect(weak.text).toBe(reference.text);
    expect(weak.text).not.toContain('***');
  });

  it('a line holding a distinctive credential is withheld whole, never partly masked', () => {
    const config = basic('https://b.example.com');
    const encoded = Buffer.from(`writer:${PASSWORD}`).toString('base64');

    expect(distinctiveSecrets(config)).toEqual(expect.arrayContaining([PASSWORD, encoded]));
    expect(screened(`Authorization: Basic ${encoded}`, config)).toBeUndefined();
    expect(screened('Pact successfully published for fixture_one', config)).toBe('Pact successfully published for fixture_one');
    // A plain-word password is not looked for in text (only its encoded Basic value, which prose never holds).
    expect(distinctiveSecrets({ ...config, auth: { kind: 'basic', username: 'u', password: 'pact', usernameVariable: 'U', passwordVariable: 'P' } })).not.toContain('pact');
  });
});
