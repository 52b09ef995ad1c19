import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFixtureServer, unusedUrl, type FixtureServer } from './support/http-fixture';
import { discoverConsumers } from '../scripts/lib/project';
import { PROVIDER } from '../src/shared/provider';
import { PASSWORD, TOKEN, USERNAME, runBrokerScript, tempDir, writeMinimalPacts } from './support/publish-fixtures';

// `npm run publish:pact` against what a real Pact Broker does not do on its own: be down, hang, keep answering
// 503, or check a bearer token (a stock broker answers any Bearer header with 400). Small local servers that
// imitate none of the broker's API. What the real broker does is tested against one (tests/e2e/).

/** publish:pact sends the consumers' pacts in discovery order: the first is the one a fault stops. */
const FIRST = discoverConsumers()[0]?.pacticipant ?? '';
let pactDir: string;
let server: FixtureServer | undefined;

beforeAll(() => {
  pactDir = tempDir('pacts-to-publish');
  writeMinimalPacts(pactDir);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function envFor(url: string, overrides: Record<string, string> = {}): Record<string, string> {
  return { PACT_DIR: pactDir, PACT_BROKER_URL: url, BROKER_USERNAME: USERNAME, BROKER_PASSWORD: PASSWORD, GIT_COMMIT: 'c0ffee1', GIT_BRANCH: 'main', ...overrides };
}

it('gives up on a broker that is down within seconds, in one line', async () => {
  const run = await runBrokerScript('publish:pact', [], envFor(await unusedUrl()));

  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(new RegExp(`✗ ${FIRST} → ${PROVIDER}: could not reach the broker at http://127\\.0\\.0\\.1:\\d+ \\(3 attempts\\): check that it is up`));
  expect(run.seconds).toBeLessThan(30);
});

it('fails after its attempts on a broker that keeps answering 503', async () => {
  server = await startFixtureServer({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' });

  const run = await runBrokerScript('publish:pact', [], envFor(server.url));

  expect(run.code).toBe(1);
  expect(run.stdout).toContain('the broker answered 503 Service Unavailable to each of 3 attempts');
  expect(server.requests).toEqual(['/', '/', '/']);
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

it('sends PACT_BROKER_TOKEN as a bearer token, and names it when it is refused', async () => {
  const authorizations: (string | undefined)[] = [];
  server = await startFixtureServer((request, response) => {
    authorizations.push(request.headers.authorization);
    response.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end();
  });

  const run = await runBrokerScript('publish:pact', [], envFor(server.url, { PACT_BROKER_TOKEN: TOKEN, BROKER_USERNAME: '', BROKER_PASSWORD: '' }));

  expect(authorizations).toEqual([`Bearer ${TOKEN}`]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('(401 Unauthorized): check PACT_BROKER_TOKEN');
});
