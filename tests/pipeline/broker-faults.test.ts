import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrokerConfig } from '../../scripts/lib/broker-config';
import type { BrokerStep } from '../../scripts/lib/broker-step';
import { askUntilKnown, canIDeployStep, type Clock, type Question } from '../../scripts/lib/can-i-deploy-step';
import { explainBrokerAnswer, type StepName } from '../../scripts/lib/broker-http';
import { explainCliRun, runPactCli, type CliRun } from '../../scripts/lib/pact-cli';
import { secretForms, screened } from '../../scripts/lib/secrets';
import { publishStep } from '../../scripts/lib/publish-step';
import { recordDeploymentStep } from '../../scripts/lib/record-deployment-step';
import { halIndex, startFaultServer, type Answer, type FaultServer, type SeenRequest } from './misbehaving-broker';
import { createFixtureProject, fixturePact } from './fixture-project';
import { diffMain } from '../../scripts/lib/diff-step';
import { deleteBranchMain } from '../../scripts/lib/branches';
import { providerWebhookMain } from '../../scripts/lib/provider-webhook';
import { unusedUrl } from '../clients/fixture-server';

// Broker faults a real broker does not produce, from small local servers (misbehaving-broker.ts), through the
// real pact CLI; and the steps' own logic (waits, evidence, what is printed) in-process.

const PASSWORD = 'Pa55-w0rd-that-must-never-print';
const VERSION = 'c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ff';
const CONSUMERS = ['fixture_one', 'fixture_two'];

let pactDir: string;
beforeAll(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'fault-pacts-'));
});
afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

const basic = (url: string, overrides: Partial<BrokerConfig> = {}): BrokerConfig => ({
  baseUrl: url,
  auth: {
    kind: 'basic',
    username: 'writer',
    password: PASSWORD,
    usernameVariable: 'BROKER_USERNAME',
    passwordVariable: 'BROKER_PASSWORD',
  },
  attempts: 1,
  timeoutSeconds: 10,
  env: {},
  ...overrides,
});
const token = (url: string): BrokerConfig => ({
  ...basic(url),
  auth: { kind: 'token', token: 'tok-0123456789', tokenVariable: 'PACT_BROKER_TOKEN' },
});

/** A checked step for `consumers`, each pact as the preparation read it (its bytes in memory). */
function stepFor(config: BrokerConfig, consumers = CONSUMERS): BrokerStep {
  return {
    broker: config,
    version: { number: VERSION, numberSource: 'GIT_COMMIT', branch: 'main' },
    refusals: [],
    consumers: consumers.map((name) => {
      const file = path.join(pactDir, `${name}-aggregator.json`);
      writeFileSync(file, fixturePact(name));
      return {
        consumer: {
          folder: `consumer-${name}`,
          pacticipant: name,
          pactFile: path.basename(file),
          spec: `tests/contracts/consumer-${name}.pact.test.ts`,
        },
        pact: { path: file, consumer: name, provider: 'aggregator', interactions: 1, content: readFileSync(file) },
      };
    }),
  };
}

type Io = { log: (line: string) => void; error: (line: string) => void };

/** Runs `action` with its lines collected; the lines never hold the password. */
async function collect(action: (io: Io) => Promise<number>): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await action({ log: (line) => lines.push(line), error: (line) => lines.push(line) });
  expect(lines.join('\n')).not.toContain(PASSWORD);
  return { code, lines, text: lines.join('\n') };
}

const publish = (config: BrokerConfig, consumers = CONSUMERS) =>
  collect((io) => publishStep(stepFor(config, consumers), [], false, io));
const fakeClock: Clock = { now: () => Date.now(), sleep: () => Promise.resolve() };

const servers: FaultServer[] = [];
async function serve(...args: Parameters<typeof startFaultServer>): Promise<FaultServer> {
  const server = await startFaultServer(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A pact the broker holds, as the broker answers a read of it and of its version (in this consumer's published state). */
function heldBack(request: SeenRequest, posted: Record<string, unknown>): Answer {
  const version = /^\/pacticipants\/([^/]+)\/versions\/([^/]+)$/.exec(request.url);
  if (version && posted[decodeURIComponent(version[1] ?? '')])
    return {
      status: 200,
      body: {
        number: decodeURIComponent(version[2] ?? ''),
        _embedded: { branchVersions: [{ name: 'main' }], tags: [] },
        _links: { 'pb:pacticipant': { name: decodeURIComponent(version[1] ?? '') } },
      },
    };
  const pact = /\/consumer\/([^/]+)\/version\/([^/]+)$/.exec(request.url);
  const content = pact && posted[decodeURIComponent(pact[1] ?? '')];
  return content
    ? {
        status: 200,
        body: { ...content, _links: { 'pb:consumer-version': { name: decodeURIComponent(pact[2] ?? '') } } },
      }
    : { status: 404 };
}

/** A broker that takes any publication and answers it, and every read, with `answer`. */
const answeringEverything = (answer: Answer) =>
  serve({ kind: 'scripted', answer: (request, url) => (request.url === '/' ? halIndex(url) : answer) });

/** What the broker holds for each consumer in verifiedBroker: its pact's interactions, by id. */
const interactionIds = (consumer: string) => [`${consumer}-1`, `${consumer}-2`];

/**
 * A broker that says yes for every consumer, with its evidence: a matrix row verified by aggregator p1, deployed in
 * production; the pact (two interactions) and the verification (every interaction passed) behind it. Each option
 * changes one part.
 */
function verifiedBroker(
  options: {
    providerOf?: Record<string, string>;
    testResults?: (ids: string[]) => unknown;
    environment?: string;
    verificationOrigin?: string;
    pactVersion?: string;
  } = {},
) {
  return (request: SeenRequest, url: string): Answer => {
    const consumer = decodeURIComponent(/q\[\]\[pacticipant\]=([^&]+)/.exec(request.url)?.[1] ?? '');
    if (request.url.startsWith('/matrix?'))
      return {
        status: 200,
        body: {
          summary: { deployable: true, reason: 'All required verification results are published and successful' },
          matrix: [
            {
              consumer: { name: consumer, version: { number: VERSION } },
              provider: {
                name: options.providerOf?.[consumer] ?? 'aggregator',
                version: { number: 'p1', environments: [{ name: options.environment ?? 'production' }] },
              },
              verificationResult: {
                success: true,
                _links: { self: { href: `${options.verificationOrigin ?? url}/verification-of/${consumer}` } },
              },
            },
          ],
        },
      };
    const pactOf = /^\/pacts\/provider\/aggregator\/consumer\/([^/]+)\/version\//.exec(request.url)?.[1];
    if (pactOf)
      return {
        status: 200,
        body: {
          consumer: { name: pactOf },
          provider: { name: 'aggregator' },
          interactions: interactionIds(pactOf).map((id) => ({ _id: id, description: id })),
          _links: { 'pb:consumer-version': { name: options.pactVersion ?? VERSION } },
        },
      };
    const verified = /^\/verification-of\/(.+)$/.exec(request.url)?.[1];
    if (verified) {
      const ids = interactionIds(verified);
      return {
        status: 200,
        body: {
          providerName: 'aggregator',
          providerApplicationVersion: 'p1',
          success: true,
          testResults: options.testResults
            ? options.testResults(ids)
            : ids.map((id) => ({ interactionId: id, success: true })),
        },
      };
    }
    return { status: 404 };
  };
}

const canIDeploy = (server: FaultServer) =>
  collect((io) =>
    canIDeployStep(
      stepFor(basic(server.url)),
      'production',
      { retries: 0, intervalSeconds: 1 },
      { ...io, clock: fakeClock },
    ),
  );

describe('the true cause of a broker failure, through the real pact CLI', () => {
  it('a TLS certificate that fails verification (never skipped)', async () => {
    const server = await serve({ kind: 'tls' });

    const { code, text } = await publish(basic(server.url), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toMatch(
      /the broker's TLS certificate at https:\/\/127\.0\.0\.1:\d+ failed verification \(DEPTH_ZERO_SELF_SIGNED_CERT\): .*set SSL_CERT_FILE/,
    );
    expect(server.requests).toEqual([]);
  });

  it.each([
    [429, basic, /the broker kept answering 429 Too Many Requests \(rate limited\) to each of 1 attempt: wait a while/],
    [
      400,
      token,
      /answered 400 Bad Request to the bearer token: a broker with basic auth answers so to any other scheme\. Set BROKER_USERNAME and BROKER_PASSWORD instead of PACT_BROKER_TOKEN/,
    ],
    [
      404,
      basic,
      /answered 404 Not Found for \/: PACT_BROKER_URL \(http:\/\/127\.0\.0\.1:\d+\/broker\) is probably not the broker's root; check its path prefix/,
    ],
    [413, basic, /refused the request as too large \(413 Payload Too Large\)/],
  ])('%i', async (status, auth, message) => {
    const server = await serve({ kind: 'status', status });

    const { code, text } = await publish(auth(status === 404 ? `${server.url}/broker` : server.url), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toMatch(message);
  });

  it('a broker that keeps failing: 5xx to each attempt, retried, then one line', async () => {
    const server = await serve({ kind: 'status', status: 503 });

    const { code, text } = await publish(basic(server.url, { attempts: 2 }), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toMatch(/the broker answered 503 Service Unavailable to each of 2 attempts: it is failing/);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('a broker that is down', async () => {
    const { code, text } = await publish(basic(await unusedUrl()), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toMatch(
      /could not reach the broker at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED, 1 attempt\): check that it is up/,
    );
  });

  it('a proxy that is down is named as the proxy, not as a broker that is down', async () => {
    const proxy = await unusedUrl();

    const { code, text } = await publish(basic('http://broker.example.com', { env: { HTTP_PROXY: proxy } }), [
      'fixture_one',
    ]);

    expect(code).toBe(1);
    expect(text).toContain(
      `could not reach the broker at http://broker.example.com through the proxy in HTTP_PROXY (${new URL(proxy).host}) (ECONNREFUSED): the proxy is down or wrong; fix HTTP_PROXY, or add the broker's host to NO_PROXY`,
    );
  });

  it("a proxy's 407 is the proxy asking for credentials, not the broker answering 407", async () => {
    const proxy = await serve({
      kind: 'status',
      status: 407,
      headers: { 'Proxy-Authenticate': 'Basic realm="proxy"' },
    });

    const { code, text } = await publish(basic('http://broker.example.com', { env: { HTTP_PROXY: proxy.url } }), [
      'fixture_one',
    ]);

    expect(code).toBe(1);
    expect(text).toContain(
      `the proxy in HTTP_PROXY (${new URL(proxy.url).host}) asked for credentials (407 Proxy Authentication Required): give them in HTTP_PROXY`,
    );
    expect([...new Set(proxy.requests)]).toEqual(['GET http://broker.example.com/']);
  });

  it("never puts a credential on the CLI's command line", async () => {
    const server = await serve({ kind: 'silent' });
    const step = stepFor(basic(server.url), ['fixture_one']);
    let pid = 0;
    const running = runPactCli(
      [
        'broker',
        'publish',
        step.consumers[0]?.pact.path ?? '',
        `--broker-base-url=${server.url}`,
        '--consumer-app-version=1',
      ],
      basic(server.url),
      Date.now() + 10_000,
      { onSpawn: (spawned) => (pid = spawned) },
    );
    // While the CLI waits on the silent broker, its command line is what it was started with.
    await server.received();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    await server.close();
    await running;

    expect(cmdline).toContain('broker');
    expect(cmdline).not.toContain(PASSWORD);
    expect(cmdline).not.toContain(Buffer.from(`writer:${PASSWORD}`).toString('base64'));
    expect(environ).toContain(`PACT_BROKER_PASSWORD=${PASSWORD}`);
  });
});

describe("success only with the broker's evidence (#18)", () => {
  const notPublished =
    /✗ fixture_one → aggregator: the pact CLI exited 0, but the broker shows no such pact: (its answer at \/pacts\/provider\/aggregator\/consumer\/fixture_one\/version\/c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ff is not the pact that was sent \(0 interactions there, 1 interaction sent\)|reading it back failed: .*)\. Not counted as published\./;

  it.each([
    ['200 {}', { status: 200, body: {} }],
    ['200 {"errors":…}', { status: 200, body: { errors: { contracts: ['something went wrong'] } } }],
    ['201 without notices', { status: 201, body: { _links: {} } }],
  ])('publish: a broker answering %s is not a publication', async (_case, answer) => {
    const server = await answeringEverything(answer);

    const { code, text, lines } = await publish(basic(server.url));

    expect(code).toBe(1);
    expect(text).toMatch(notPublished);
    expect(lines.at(-1)).toBe('✗ Publishing failed: 0 of 2 pacts published.');
    expect(server.requests).toContain('POST /contracts/publish');
  });

  it('publish: a 307 to another port that accepts anything is not a publication, and the credentials stay with PACT_BROKER_URL', async () => {
    const elsewhere = await serve({
      kind: 'scripted',
      answer: (request, url) => (request.url === '/' ? halIndex(url) : { status: 200, body: {} }),
    });
    const redirecting = await serve({
      kind: 'scripted',
      answer: (request) => ({ status: 307, headers: { Location: `${elsewhere.url}${request.url}` } }),
    });

    const { code, text } = await publish(basic(redirecting.url), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toContain(
      `reading it back failed: the broker answered 307 Temporary Redirect to ${elsewhere.url} for /pacts/provider/aggregator/consumer/fixture_one/version/${VERSION}: redirects are never followed`,
    );
    expect(text).not.toContain('Published');
  });

  it('publish sends exactly the bytes it checked: a pact rewritten while the broker holds the first request is not what is sent', async () => {
    let release: () => void = () => undefined;
    let held: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const posted: Record<string, unknown> = {};
    // The broker holds the first publication until the test has rewritten the second pact; it keeps what it gets and serves it back.
    const server = await serve({
      kind: 'scripted',
      answer: async (request: SeenRequest, url) => {
        if (request.url === '/') return halIndex(url);
        if (request.method === 'POST') {
          const contract = (request.body as { contracts: { consumerName: string; content: string }[] }).contracts[0];
          if (contract === undefined) return { status: 400 };
          posted[contract.consumerName] = JSON.parse(Buffer.from(contract.content, 'base64').toString('utf8'));
          if (Object.keys(posted).length === 1) await new Promise<void>((resolve) => ((release = resolve), held()));
          return { status: 200, body: {} };
        }
        return heldBack(request, posted);
      },
    });
    const step = stepFor(basic(server.url));
    const second = step.consumers[1]?.pact.path as string;

    const publishing = collect((io) => publishStep(step, [], false, io));
    await holding;
    // A contract run rewrites the second pact, having written one interaction of two so far.
    writeFileSync(second, fixturePact('fixture_two', 'aggregator', { interactions: [] }));
    release();
    const { code, text } = await publishing;

    expect(text).toContain('✓ fixture_two → aggregator (1 interaction, read back from the broker)');
    expect(code).toBe(0);
    // What the CLI sent is the checked pact (re-serialised by the CLI, with its model's defaults added), not the rewrite.
    expect(posted.fixture_two).toMatchObject(JSON.parse(fixturePact('fixture_two')) as object);
  });

  it('record-deployment: a 200 {"errors":…} to the recording is not a deployment', async () => {
    const server = await serve({
      kind: 'scripted',
      answer: (request, url) =>
        request.method === 'GET'
          ? {
              status: 200,
              body: {
                number: VERSION,
                _links: {
                  'pb:record-deployment': [{ name: 'production', href: `${url}/deployed-versions/environment/e1` }],
                },
              },
            }
          : { status: 200, body: { errors: { environment: ['could not be recorded'] } } },
    });

    const { code, lines } = await collect((io) =>
      recordDeploymentStep(stepFor(basic(server.url)), 'production', undefined, false, io),
    );

    expect(code).toBe(1);
    expect(lines).toContain(
      '  ✗ fixture_one: the broker answered 200, but shows no deployment of fixture_one version c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ff to production recorded (no record in its answer). Not counted as recorded.',
    );
    expect(lines.at(-1)).toBe('✗ Recording failed for fixture_one, fixture_two.');
  });

  it('record-deployment: an answer that is no version resource at all', async () => {
    const server = await serve({
      kind: 'scripted',
      answer: () => ({ status: 200, body: { errors: { version: ['oops'] } } }),
    });

    const { code, text } = await collect((io) =>
      recordDeploymentStep(stepFor(basic(server.url)), 'production', undefined, false, io),
    );

    expect(code).toBe(1);
    expect(text).toContain(
      `the broker's answer for fixture_one version ${VERSION} is not a Pact Broker version (no _links): is PACT_BROKER_URL a Pact Broker?`,
    );
  });

  it('can-i-deploy: "deployable" with a matrix row lacking the provider version and verification is a no', async () => {
    const server = await serve({
      kind: 'scripted',
      answer: (request) => {
        const consumer = decodeURIComponent(/q\[\]\[pacticipant\]=([^&]+)/.exec(request.url)?.[1] ?? '');
        return {
          status: 200,
          body: {
            summary: { deployable: true, reason: 'All required verification results are published and successful' },
            notices: [],
            matrix: [
              {
                consumer: { name: consumer, version: { number: VERSION } },
                provider: { name: 'aggregator', version: null },
                verificationResult: null,
              },
            ],
          },
        };
      },
    });

    const { code, lines } = await collect((io) =>
      canIDeployStep(stepFor(basic(server.url)), 'production', { retries: 0, intervalSeconds: 1 }, io),
    );

    expect(code).toBe(1);
    expect(lines).toContain(
      `  ✗ fixture_one: no: the broker said deployable, but its matrix shows no successful verification of fixture_one version ${VERSION} by a version of aggregator (a row lacks the provider version or the verification result), so its "yes" is no evidence`,
    );
    expect(lines.at(-1)).toBe('✗ Computer says no: fixture_one, fixture_two cannot be deployed to production.');
  });
});

describe('PACT_BROKER_TIMEOUT_SECONDS bounds the whole step', () => {
  it('can-i-deploy and record-deployment on a silent broker take one timeout for all consumers, not one each', async () => {
    const server = await serve({ kind: 'silent' });
    const config = basic(server.url, { timeoutSeconds: 2 });

    for (const step of [
      (io: Io) => canIDeployStep(stepFor(config), 'production', { retries: 0, intervalSeconds: 1 }, io),
      (io: Io) => recordDeploymentStep(stepFor(config), 'production', undefined, false, io),
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
    const server = await serve({ kind: 'status', status: 429, headers: { 'Retry-After': '3600' } });

    const { code, lines } = await publish(basic(server.url, { timeoutSeconds: 2, attempts: 2 }));

    expect(code).toBe(1);
    expect(lines[1]).toBe(
      "  ✗ fixture_one → aggregator: the broker is rate limiting (429 Too Many Requests, Retry-After: 3600 s), and the step ran out of PACT_BROKER_TIMEOUT_SECONDS (2 s): run it again later, or ask the broker's operators about the limit.",
    );
  });

  it('asks every consumer at once and waits once per round for all of them, never past the deadline', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock: Clock = { now: () => now, sleep: (ms) => (sleeps.push(ms), (now += ms), Promise.resolve()) };
    const unknown: Question = { answer: { summary: { deployable: null, reason: 'no results' }, matrix: [] } };
    const asked: string[] = [];
    const lines: string[] = [];

    await askUntilKnown(
      ['a', 'b', 'c'],
      (consumer) => (asked.push(consumer), Promise.resolve(unknown)),
      { retries: 10, intervalSeconds: 10, deadline: 25_000 },
      { clock, log: (line) => lines.push(line) },
    );

    // Two rounds of 10 s fit before the 25 s deadline; a third would not.
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(asked).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    expect(lines.at(-1)).toContain('no time left to wait within PACT_BROKER_TIMEOUT_SECONDS');
  });
});

describe('an exit 0 means exactly what it says', () => {
  const exited0 = (stdout: string): CliRun => ({ code: 0, stdout, stderr: '', timedOut: false });

  it('publish: the CLI printing its help and exiting 0 is a failure', async () => {
    const server = await serve({ kind: 'status', status: 404 });

    const { code, text } = await collect((io) =>
      publishStep(stepFor(basic(server.url)), [], false, {
        ...io,
        run: () => Promise.resolve(exited0('Usage: pact broker publish [OPTIONS]')),
      }),
    );

    expect(code).toBe(1);
    expect(text).toContain(
      'the pact CLI exited 0, but the broker shows no such pact: reading it back failed: the broker answered 404 Not Found',
    );
    expect(text).not.toContain('Published 2 of 2');
  });

  it('can-i-deploy: a 200 that is no can-i-deploy answer is a no', async () => {
    const server = await answeringEverything({ status: 200, body: { _links: {} } });

    const asked = await collect((io) =>
      canIDeployStep(
        stepFor(basic(server.url)),
        'production',
        { retries: 0, intervalSeconds: 1 },
        { ...io, clock: fakeClock },
      ),
    );

    expect(asked.code).toBe(1);
    expect(asked.text).toContain('is not a can-i-deploy answer, so this counts as no');
  });

  it('can-i-deploy: a "yes" for a consumer version without its pact with the aggregator is a no', async () => {
    const ask = async (providerOf: Record<string, string>) => {
      const server = await serve({ kind: 'scripted', answer: verifiedBroker({ providerOf }) });
      return collect((io) =>
        canIDeployStep(
          stepFor(basic(server.url)),
          'production',
          { retries: 0, intervalSeconds: 1 },
          { ...io, clock: fakeClock },
        ),
      );
    };

    // fixture_two's version exists in the broker, but nothing was published for it.
    const partly = await ask({ fixture_two: 'another-service' });
    const covered = await ask({});

    expect(partly.code).toBe(1);
    expect(partly.lines).toContain('  ✓ fixture_one: yes');
    expect(partly.text).toContain(
      `✗ fixture_two: no: the broker holds no pact of fixture_two version ${VERSION} with aggregator`,
    );
    expect(partly.lines.at(-1)).toBe('✗ Computer says no: fixture_two cannot be deployed to production.');
    expect(covered.code).toBe(0);
  });

  it("the CLI's own reason when it exits 2", async () => {
    const run: CliRun = {
      code: 2,
      stdout: '',
      stderr: "error: unexpected argument '--bogus' found\n\nUsage: pact broker publish",
      timedOut: false,
    };
    expect(await explainCliRun(run, basic('https://b.example.com'), 'publish', Date.now())).toBe(
      "the pact CLI refused its arguments (exit 2): error: unexpected argument '--bogus' found",
    );
  });

  it('a CLI stopped for printing too much is a failure that says so, not an unexpected one', async () => {
    const run: CliRun = { code: null, stdout: '', stderr: '', timedOut: false, overflowed: true };
    expect(await explainCliRun(run, basic('https://b.example.com'), 'publish', Date.now())).toBe(
      'the pact CLI printed more than 64 MiB, so it was stopped: run it by hand to see why.',
    );
  });
});

describe('secrets in output', () => {
  const conflict = (consumer: string): CliRun => ({
    code: 1,
    stdout: `❌ Pact publication failed:\n   contracts: Cannot change the content of the pact for ${consumer} version ${VERSION} and provider aggregator\n`,
    stderr: '',
    timedOut: false,
  });

  const publishedOutput = async (password: string) => {
    const config: BrokerConfig = {
      ...basic('https://b.example.com'),
      auth: {
        kind: 'basic',
        username: 'writer',
        password,
        usernameVariable: 'BROKER_USERNAME',
        passwordVariable: 'BROKER_PASSWORD',
      },
    };
    const lines: string[] = [];
    const code = await publishStep(stepFor(config), [], false, {
      log: (line) => lines.push(line),
      error: (line) => lines.push(line),
      run: () => Promise.resolve(conflict('fixture_one')),
    });
    return { code, text: lines.join('\n') };
  };

  it('a line holding the password, whatever it looks like (letters only), is withheld whole, never partly masked', async () => {
    // A password of letters only that the output would hold: each line holding it is withheld.
    // ("aggregator" would be refused up front: the pact's file name on the CLI's command line holds it.)
    const letters = await publishedOutput('different');

    expect(letters.code).toBe(1);
    expect(letters.text).not.toContain('different');
    expect(letters.text).toContain('(withheld: it contained a broker credential)');
    expect(
      screened(
        `Authorization: Basic ${Buffer.from(`writer:${PASSWORD}`).toString('base64')}`,
        basic('https://b.example.com'),
      ),
    ).toBeUndefined();
    expect(secretForms(basic('https://b.example.com'))).toEqual(
      expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD)]),
    );
    // Inside a URL, however its part encodes it: a path (%20 for a space), a query read as a form ("+").
    const spaced = {
      ...basic('https://b.example.com'),
      auth: { ...basic('').auth, password: 'a b@cdefgh' },
    } as BrokerConfig;
    for (const url of [
      new URL('/a b@cdefgh', 'http://x').href,
      `http://x/?p=${new URLSearchParams({ q: 'a b@cdefgh' }).get('q')?.replace(/ /g, '+')}`,
    ])
      expect(screened(`redirected to ${url}`, spaced)).toBeUndefined();
    expect(screened('Pact successfully published for fixture_one', basic('https://b.example.com'))).toBe(
      'Pact successfully published for fixture_one',
    );
  });
});

describe('evidence covers the whole contract, and is about exactly what was asked (#24)', () => {
  it.each([
    [
      'covered one interaction of two (a verifier run with PACT_DESCRIPTION)',
      (ids: string[]) => [{ interactionId: ids[0], success: true }],
    ],
    [
      'failed one interaction',
      (ids: string[]) => ids.map((id, index) => ({ interactionId: id, success: index === 0 })),
    ],
  ])('can-i-deploy: a verification that %s is a no', async (_case, testResults) => {
    const server = await serve({ kind: 'scripted', answer: verifiedBroker({ testResults }) });

    const { code, text } = await canIDeploy(server);

    expect(code).toBe(1);
    expect(text).toContain(
      '✗ fixture_one: no: aggregator p1 verified only 1 interaction of 2 in this version\'s pact (a verifier run with PACT_DESCRIPTION or PACT_PROVIDER_STATE set checks only part), so its "yes" does not cover the contract',
    );
  });

  it('can-i-deploy: a matrix row of a provider deployed to another environment is a no', async () => {
    const server = await serve({ kind: 'scripted', answer: verifiedBroker({ environment: 'staging' }) });

    const { code, text } = await canIDeploy(server);

    expect(code).toBe(1);
    expect(text).toContain(
      'no: the broker said deployable, but aggregator version p1 in its matrix is not deployed to production',
    );
  });

  it("can-i-deploy: a pact read back that is another version's is a no", async () => {
    const server = await serve({ kind: 'scripted', answer: verifiedBroker({ pactVersion: 'another-version' }) });

    const { code, text } = await canIDeploy(server);

    expect(code).toBe(1);
    expect(text).toContain(`is not the pact of version ${VERSION}`);
  });

  it('can-i-deploy: a verification linked on another origin is not read, and no credential goes there', async () => {
    const elsewhere = await serve({ kind: 'scripted', answer: verifiedBroker() });
    const server = await serve({ kind: 'scripted', answer: verifiedBroker({ verificationOrigin: elsewhere.url }) });

    const { code, text } = await canIDeploy(server);

    expect(code).toBe(1);
    expect(text).toContain(`its link points to ${elsewhere.url}, not to PACT_BROKER_URL`);
    expect(elsewhere.requests).toEqual([]);
  });

  it('can-i-deploy: a 307 from /matrix to another origin that answers anyone is a no; nothing reaches that origin', async () => {
    const elsewhere = await serve({ kind: 'scripted', answer: verifiedBroker() });
    const server = await serve({
      kind: 'scripted',
      answer: (request) => ({ status: 307, headers: { Location: `${elsewhere.url}${request.url}` } }),
    });

    const { code, text } = await canIDeploy(server);

    expect(code).toBe(1);
    expect(text).toContain(`the broker answered 307 Temporary Redirect to ${elsewhere.url} for /matrix?`);
    expect(elsewhere.requests).toEqual([]);
  });

  it('record-deployment: a deployment the broker records in another environment is not counted', async () => {
    const server = await serve({
      kind: 'scripted',
      answer: (request, url) => {
        const consumer = /^\/pacticipants\/([^/]+)\//.exec(request.url)?.[1] ?? '';
        if (request.method === 'GET' && request.url.startsWith('/pacticipants/'))
          return {
            status: 200,
            body: {
              _links: {
                // The link named production leads to staging's resource.
                'pb:record-deployment': [{ name: 'production', href: `${url}/deploy/${consumer}/staging` }],
              },
            },
          };
        const deployed = /^\/(?:deploy|deployed)\/([^/]+)\/staging$/.exec(request.url)?.[1] ?? '';
        return {
          status: request.method === 'POST' ? 201 : 200,
          body: {
            currentlyDeployed: true,
            applicationInstance: null,
            _embedded: {
              pacticipant: { name: deployed },
              version: { number: VERSION },
              environment: { name: 'staging' },
            },
            _links: { self: { href: `${url}/deployed/${deployed}/staging` } },
          },
        };
      },
    });

    const { code, lines } = await collect((io) =>
      recordDeploymentStep(stepFor(basic(server.url)), 'production', undefined, false, io),
    );

    expect(code).toBe(1);
    expect(lines).toContain(
      `  ✗ fixture_one: the broker answered 201, but shows no deployment of fixture_one version ${VERSION} to production recorded (its record is of the environment "staging"). Not counted as recorded.`,
    );
  });

  it.each([
    ['scheme-relative', (other: string) => `//${new URL(other).host}/deployed-versions/e1`],
    ['absolute', (other: string) => `${other}/deployed-versions/e1`],
    ['outside the base path', () => '/elsewhere/deployed-versions/e1'],
  ])('record-deployment: a %s link elsewhere is refused before any credential is sent', async (_case, link) => {
    const elsewhere = await serve({ kind: 'status', status: 201 });
    const server = await serve({
      kind: 'scripted',
      answer: () => ({
        status: 200,
        body: { _links: { 'pb:record-deployment': [{ name: 'production', href: link(elsewhere.url) }] } },
      }),
    });

    const { code, text } = await collect((io) =>
      recordDeploymentStep(stepFor(basic(`${server.url}/broker`)), 'production', undefined, false, io),
    );

    expect(code).toBe(1);
    expect(text).toMatch(
      /is not used: its link (points to http:\/\/127\.0\.0\.1:\d+, not to PACT_BROKER_URL|\/elsewhere\/deployed-versions\/e1 is outside PACT_BROKER_URL's path \/broker\/)/,
    );
    expect(elsewhere.requests).toEqual([]);
    expect(server.requests.filter((request) => request.startsWith('POST'))).toEqual([]);
  });

  it("publish: another version's pact, answered for this version's URL, is not a publication", async () => {
    const posted: Record<string, unknown> = {};
    const server = await serve({
      kind: 'scripted',
      answer: (request, url) => {
        if (request.url === '/') return halIndex(url);
        if (request.method === 'POST') {
          const contract = (request.body as { contracts: { consumerName: string; content: string }[] }).contracts[0];
          if (contract)
            posted[contract.consumerName] = JSON.parse(Buffer.from(contract.content, 'base64').toString('utf8'));
          return { status: 200, body: {} };
        }
        // The broker has no pact for this version (it would answer 404) but hands out an older version's.
        const answer = heldBack(request, posted);
        const body = answer.body as { _links?: { 'pb:consumer-version'?: { name?: string } } } | undefined;
        if (body?._links?.['pb:consumer-version']) body._links['pb:consumer-version'].name = 'an-older-version';
        return answer;
      },
    });

    const { code, text } = await publish(basic(server.url), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toContain(`is the pact of version an-older-version, not of ${VERSION}. Not counted as published.`);
  });

  it('publish: a version read back without the branch sent is not a publication', async () => {
    const posted: Record<string, unknown> = {};
    const server = await serve({
      kind: 'scripted',
      answer: (request, url) => {
        if (request.url === '/') return halIndex(url);
        if (request.method === 'POST') {
          const contract = (request.body as { contracts: { consumerName: string; content: string }[] }).contracts[0];
          if (contract)
            posted[contract.consumerName] = JSON.parse(Buffer.from(contract.content, 'base64').toString('utf8'));
          return { status: 200, body: {} };
        }
        const answer = heldBack(request, posted);
        const body = answer.body as { _embedded?: { branchVersions?: unknown[] } } | undefined;
        if (body?._embedded) body._embedded.branchVersions = [{ name: 'other-branch' }];
        return answer;
      },
    });

    const { code, text } = await publish(basic(server.url), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toContain('lacks the branch main. Not counted as published.');
  });
});

describe('one deadline covers connect, headers and the whole body (#24)', () => {
  it('record-deployment on a broker that trickles its answer a byte at a time ends at PACT_BROKER_TIMEOUT_SECONDS', async () => {
    const server = await serve({ kind: 'trickle', intervalMs: 100 });
    const started = Date.now();

    const { code, lines } = await collect((io) =>
      recordDeploymentStep(stepFor(basic(server.url, { timeoutSeconds: 2 })), 'production', undefined, false, io),
    );

    expect(code).toBe(1);
    expect((Date.now() - started) / 1000).toBeLessThan(3.5);
    expect(lines.filter((line) => line.includes('did not answer within 2 s')).length).toBe(2);
  });

  it("publish's read-back from a broker that trickles it ends at PACT_BROKER_TIMEOUT_SECONDS", async () => {
    const server = await serve({
      kind: 'scripted',
      answer: (request, url) =>
        request.url === '/'
          ? halIndex(url)
          : request.method === 'POST'
            ? { status: 200, body: {} }
            : { status: 200, body: { padding: 'x'.repeat(10_000) }, trickleMs: 50 },
    });
    const started = Date.now();

    const { code, text } = await publish(basic(server.url, { timeoutSeconds: 3 }), ['fixture_one']);

    expect(code).toBe(1);
    expect((Date.now() - started) / 1000).toBeLessThan(4.5);
    expect(text).toContain('reading it back failed: the broker at');
    expect(text).toContain('did not answer within 3 s');
  });
});

describe('messages name the real cause (#24)', () => {
  it.each<[StepName, string]>([
    ['publish', ' (a read-only user cannot publish)'],
    ['record-deployment', ' (a read-only user cannot record deployments)'],
    ['delete-branch', ' (a read-only user cannot delete branches)'],
    ['webhook:provider', ' (a read-only user cannot change webhooks)'],
    ['can-i-deploy', ''],
    ['diff:pact', ''],
  ])('a 401 to %s names the variables, and what a read-only user cannot do there', (step, hint) => {
    const answer = { status: 401, statusText: 'Unauthorized', body: undefined, path: '/' };

    expect(explainBrokerAnswer(answer, basic('http://127.0.0.1:9'), step, 0)).toBe(
      `the broker refused the credentials (401 Unauthorized): check BROKER_USERNAME and BROKER_PASSWORD${hint}.`,
    );
  });

  it('publish: a broker that redirects to another host is a redirect, not rejected credentials', async () => {
    // The other host takes nobody's credentials: the CLI, following the redirect without them, gets its 401.
    const elsewhere = await serve({ kind: 'status', status: 401 });
    const server = await serve({
      kind: 'scripted',
      answer: (request) => ({ status: 307, headers: { Location: `${elsewhere.url}${request.url}` } }),
    });

    const { code, text } = await publish(basic(server.url), ['fixture_one']);

    expect(code).toBe(1);
    expect(text).toContain(
      `the broker answered 307 Temporary Redirect to ${elsewhere.url} for /: redirects are never followed`,
    );
    expect(text).not.toContain('refused the credentials');
    expect(elsewhere.authorizations.filter(Boolean)).toEqual([]);
  });

  it('a 3xx with a Location that is no URL is said so, and every consumer keeps its line', async () => {
    const server = await serve({ kind: 'status', status: 302, headers: { Location: 'http://[not-a-host' } });

    const { code, lines } = await collect((io) =>
      recordDeploymentStep(stepFor(basic(server.url)), 'production', undefined, false, io),
    );

    expect(code).toBe(1);
    for (const consumer of CONSUMERS)
      expect(lines).toContain(
        `  ✗ ${consumer}: the broker answered 302 Found to a Location that is not a URL for /pacticipants/${consumer}/versions/${VERSION}: redirects are never followed (the answer must come from PACT_BROKER_URL, and credentials go only there); set PACT_BROKER_URL to the broker's real address.`,
      );
  });
});

describe('diff:pact, delete-branch and webhook:provider (#27)', () => {
  /** Runs `npm run <step>` in-process in a fixture project against `url`, its lines collected (never holding the password). */
  const runStep = async (step: 'diff:pact' | 'delete-branch' | 'webhook:provider', url: string) => {
    const project = createFixtureProject({ consumers: CONSUMERS });
    const env = {
      PACT_BROKER_URL: url,
      BROKER_USERNAME: 'writer',
      BROKER_PASSWORD: PASSWORD,
      PROVIDER_WEBHOOK_URL: 'http://127.0.0.1:1/hook',
    };
    try {
      return await collect((io) =>
        step === 'diff:pact'
          ? diffMain([], project.root, env, io)
          : step === 'delete-branch'
            ? deleteBranchMain(['--branch', 'feature-x'], project.root, env, io)
            : providerWebhookMain([], project.root, env, io),
      );
    } finally {
      project.remove();
    }
  };

  it.each(['diff:pact', 'delete-branch'] as const)(
    '%s: a URL that answers 404 to everything is no broker that never saw the consumers; a broker root that does not know them is',
    async (step) => {
      const nowhere = await serve({ kind: 'status', status: 404 });
      const broker = await serve({
        kind: 'scripted',
        answer: (request) =>
          request.url === '/'
            ? { status: 200, body: { _links: { 'pb:pacticipants': { href: '/pacticipants' } } } }
            : { status: 404 },
      });

      const wrong = await runStep(step, `${nowhere.url}/no-broker-here`);
      const empty = await runStep(step, broker.url);

      expect(wrong.code).toBe(1);
      expect(wrong.text).toContain('is probably not the broker');
      expect(wrong.text).not.toContain('never seen');
      expect(empty.code).toBe(0);
      expect(empty.text).toContain('never seen');
    },
  );

  it('diff:pact: "no change" is said verified in production only when that verification covered every interaction', async () => {
    /** verifiedBroker, plus what diff:pact reads: the consumer's main branch, its latest pact there (ours), production's aggregator p1. */
    const diffBroker = (testResults?: (ids: string[]) => unknown) => {
      const verified = verifiedBroker({ testResults });
      return (request: SeenRequest, url: string): Answer => {
        const consumer = /^\/pacticipants\/([^/]+)$/.exec(request.url)?.[1];
        if (consumer) return { status: 200, body: { name: consumer, mainBranch: 'main' } };
        const latest = /^\/pacts\/provider\/aggregator\/consumer\/([^/]+)\/branch\/main\/latest$/.exec(
          request.url,
        )?.[1];
        if (latest)
          return {
            status: 200,
            body: { ...JSON.parse(fixturePact(latest)), _links: { 'pb:consumer-version': { name: VERSION } } },
          };
        if (request.url === '/environments')
          return { status: 200, body: { _embedded: { environments: [{ name: 'production', uuid: 'prod' }] } } };
        if (request.url.startsWith('/environments/prod/deployed-versions/currently-deployed?'))
          return {
            status: 200,
            body: {
              _embedded: {
                deployedVersions: [{ _embedded: { pacticipant: { name: 'aggregator' }, version: { number: 'p1' } } }],
              },
            },
          };
        return verified(request, url);
      };
    };
    const whole = await serve({ kind: 'scripted', answer: diffBroker() });
    const part = await serve({
      kind: 'scripted',
      answer: diffBroker((ids) => [{ interactionId: ids[0], success: true }]),
    });

    const covered = await runStep('diff:pact', whole.url);
    const filtered = await runStep('diff:pact', part.url);

    expect(covered.code).toBe(0);
    expect(covered.text).toContain('the aggregator version deployed in production (p1) has verified this same content');
    expect(filtered.code).toBe(0);
    expect(filtered.text).not.toContain('has verified this same content');
    expect(filtered.text).toContain('aggregator p1 verified only 1 interaction of 2');
  });

  it.each(['delete-branch', 'webhook:provider'] as const)(
    '%s: a broker answer that echoes the password is withheld',
    async (step) => {
      const server = await serve({ kind: 'status', status: 302, headers: { Location: `/${PASSWORD}` } });

      const { code, text } = await runStep(step, server.url);

      expect(code).toBe(1);
      expect(text).toContain('(withheld: it contained a broker credential)');
    },
  );
});
