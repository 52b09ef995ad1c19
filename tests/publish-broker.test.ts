import { readFileSync, writeFileSync, cpSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { discoverConsumers, pactFileName } from '../scripts/lib/project';

const ALL_CONSUMERS = discoverConsumers().map((consumer) => consumer.pacticipant);
const CONSUMERS = { countryDirectory: ALL_CONSUMERS[0] as string };
const pactFilePath = (consumer: string, dir: string) => path.join(dir, pactFileName(consumer));
import { startPactBroker, type PactBrokerStandIn, type PactContent } from './support/pact-broker-stand-in';
import { PASSWORD, TOKEN, USERNAME, runBrokerScript, tempDir, vouchForPacts } from './support/publish-fixtures';
import { unusedUrl } from './support/http-fixture';
import { contractSpecs, runContractSpecs } from './support/run-specs';

// `npm run publish:pact` against the broker stand-in, with the real pact CLI and the pacts our specs write.

const VERSION = '5f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
let pactDir: string;
let broker: PactBrokerStandIn | undefined;

beforeAll(async () => {
  pactDir = tempDir('pacts-to-publish');
  await runContractSpecs(pactDir, ...contractSpecs());
  vouchForPacts(pactDir, VERSION);
});
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

async function basicAuthBroker(): Promise<PactBrokerStandIn> {
  broker = await startPactBroker({ basic: { username: USERNAME, password: PASSWORD } });
  return broker;
}

function envFor(url: string, overrides: Record<string, string> = {}): Record<string, string> {
  return { PACT_DIR: pactDir, PACT_BROKER_URL: url, BROKER_USERNAME: USERNAME, BROKER_PASSWORD: PASSWORD, GIT_COMMIT: VERSION, GIT_BRANCH: 'main', ...overrides };
}

/** Token auth instead of basic: the username and password are unset. */
const tokenEnvFor = (url: string) => envFor(url, { PACT_BROKER_TOKEN: TOKEN, BROKER_USERNAME: '', BROKER_PASSWORD: '' });

const readPact = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PactContent;

describe('publish:pact to a basic-auth broker', () => {
  it('publishes both pacts under the commit and branch, content equal to the files', async () => {
    const stand = await basicAuthBroker();

    const run = await runBrokerScript('publish:pact', [], envFor(stand.url));

    expect(run.code).toBe(0);
    expect(stand.publications.map(({ consumer, provider, version, branch }) => ({ consumer, provider, version, branch }))).toEqual(
      ALL_CONSUMERS.map((consumer) => ({ consumer, provider: 'aggregator', version: VERSION, branch: 'main' })),
    );
    for (const publication of stand.publications) {
      // The CLI re-serialises the pact (and rewrites metadata.pactRust), so compare what verification reads.
      const file = readPact(pactFilePath(publication.consumer, pactDir));
      expect(publication.pact.interactions).toEqual(file.interactions);
      expect(publication.pact.consumer).toEqual(file.consumer);
      expect(publication.pact.provider).toEqual(file.provider);
    }
    expect(stand.requests.every((request) => request.authorization === `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`)).toBe(true);
    expect(run.stdout).toContain(`Publishing 2 pacts to ${stand.url} as consumer version ${VERSION} (from GIT_COMMIT, branch main)`);
    expect(run.stdout).toContain('✓ consumer_a → aggregator (3 interactions)');
    expect(run.stdout).toContain(`Pact successfully published for consumer_b version ${VERSION} and provider aggregator.`);
    expect(run.stdout).toContain(`Published 2 of 2 pacts as ${VERSION}.`);
  });

  it('re-publishes identical pacts for the same version without complaint', async () => {
    const stand = await basicAuthBroker();
    await runBrokerScript('publish:pact', [], envFor(stand.url));

    const again = await runBrokerScript('publish:pact', [], envFor(stand.url));

    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Pact successfully republished for consumer_a version ${VERSION} and provider aggregator with no content changes.`);
  });

  it('sends tags when asked', async () => {
    const stand = await basicAuthBroker();

    const run = await runBrokerScript('publish:pact', ['--tag', 'dev', '--tag', 'rc'], envFor(stand.url));

    expect(run.code).toBe(0);
    expect(stand.publications.map((publication) => publication.tags)).toEqual([['dev', 'rc'], ['dev', 'rc']]);
  });

  it('prints what it would publish on --dry-run and sends nothing', async () => {
    const stand = await basicAuthBroker();

    const run = await runBrokerScript('publish:pact', ['--dry-run'], envFor(stand.url));

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/would publish consumer_a → aggregator \(3 interactions\): pact broker publish \S+consumer_a-aggregator\.json/);
    expect(run.stdout).toContain('would publish consumer_b → aggregator (2 interactions)');
    expect(run.stdout).toContain('Dry run: nothing was sent to the broker.');
    expect(stand.requests).toEqual([]);
  });

  it('surfaces a 409 when a published version would change, naming the fix', async () => {
    const stand = await basicAuthBroker();
    await runBrokerScript('publish:pact', [], envFor(stand.url));
    const changedDir = tempDir('changed-pacts');
    cpSync(pactDir, changedDir, { recursive: true });
    const changedFile = pactFilePath(CONSUMERS.countryDirectory, changedDir);
    const changed = readPact(changedFile);
    changed.interactions = changed.interactions?.slice(1);
    writeFileSync(changedFile, JSON.stringify(changed));
    vouchForPacts(changedDir, VERSION);

    const run = await runBrokerScript('publish:pact', [], envFor(stand.url, { PACT_DIR: changedDir }));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ consumer_a → aggregator: the broker already holds a different pact for this consumer version (409 Conflict)');
    expect(run.stdout).toContain(`Cannot change the content of the pact for consumer_a version ${VERSION} and provider aggregator`);
    expect(run.stdout).toContain('not sent: consumer_b → aggregator');
    expect(stand.publications).toHaveLength(2);
  });
});

describe('publish:pact when the broker says no', () => {
  it('names the variables to check on a wrong password (401), without echoing it', async () => {
    const stand = await basicAuthBroker();

    const run = await runBrokerScript('publish:pact', [], envFor(stand.url, { BROKER_PASSWORD: 'not-the-password' }));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the broker refused the credentials (401 Unauthorized): check BROKER_USERNAME and BROKER_PASSWORD');
    expect(run.output).not.toContain('not-the-password');
    expect(stand.publications).toEqual([]);
  });

  it('treats a read-only user who publishes as the real broker does (401)', async () => {
    broker = await startPactBroker({ basic: { username: 'admin', password: 'admin-secret' }, readOnly: { username: USERNAME, password: PASSWORD } });

    const run = await runBrokerScript('publish:pact', [], envFor(broker.url));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('(401 Unauthorized)');
    expect(broker.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /', 'POST /contracts/publish']);
    expect(broker.publications).toEqual([]);
  });

  it('gives up on a broker that is down within seconds, in one line', async () => {
    const run = await runBrokerScript('publish:pact', [], envFor(await unusedUrl()));

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ consumer_a → aggregator: could not reach the broker at http:\/\/127\.0\.0\.1:\d+ \(3 attempts\): check that it is up/);
    expect(run.seconds).toBeLessThan(30);
  });

  it('fails after its attempts on a broker that keeps answering 503', async () => {
    const stand = await basicAuthBroker();
    stand.failNext(100);

    const run = await runBrokerScript('publish:pact', [], envFor(stand.url));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the broker answered 503 Service Unavailable to each of 3 attempts');
    expect(stand.requests).toHaveLength(3);
  });

  it('succeeds when the broker answers 503 once and then recovers', async () => {
    const stand = await basicAuthBroker();
    stand.failNext(1);

    const run = await runBrokerScript('publish:pact', [], envFor(stand.url));

    expect(run.code).toBe(0);
    expect(stand.publications).toHaveLength(2);
  });

  it('stops waiting on a broker that accepts connections but never answers', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const run = await runBrokerScript('publish:pact', [], envFor(url, { PACT_BROKER_TIMEOUT_SECONDS: '2' }));

      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`the broker at ${url} did not answer within 2 s`);
    } finally {
      silent.close();
    }
  });
});

describe('publish:pact with a bearer token', () => {
  it('authenticates with PACT_BROKER_TOKEN', async () => {
    broker = await startPactBroker({ bearer: TOKEN });

    const run = await runBrokerScript('publish:pact', [], tokenEnvFor(broker.url));

    expect(run.code).toBe(0);
    expect(broker.publications).toHaveLength(2);
    expect(new Set(broker.requests.map((request) => request.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it('names PACT_BROKER_TOKEN when the token is refused', async () => {
    broker = await startPactBroker({ bearer: 'another-token' });

    const run = await runBrokerScript('publish:pact', [], tokenEnvFor(broker.url));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('(401 Unauthorized): check PACT_BROKER_TOKEN');
  });
});

it('trims a trailing slash from the broker URL and still publishes', async () => {
  const stand = await basicAuthBroker();

  const run = await runBrokerScript('publish:pact', [], envFor(`${stand.url}/`));

  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`to ${stand.url} as consumer version`);
  expect(stand.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /', 'POST /contracts/publish', 'GET /', 'POST /contracts/publish']);
});
