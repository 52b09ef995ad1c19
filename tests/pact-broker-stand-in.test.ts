import { startPactBroker, type PactBrokerStandIn } from './support/pact-broker-stand-in';

// The stand-in is all that stands between our publish tests and a real broker, so it is held to the
// real broker's answers (../shared/reference/pact-broker-api.md) directly, not only through the CLI.

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const WRITER = basic('writer', 'writer-secret');

let broker: PactBrokerStandIn;
beforeEach(async () => {
  broker = await startPactBroker({ basic: { username: 'writer', password: 'writer-secret' }, readOnly: { username: 'reader', password: 'reader-secret' } });
});
afterEach(() => broker.close());

function contract(overrides: Record<string, unknown> = {}, pact: Record<string, unknown> = {}) {
  const content = { consumer: { name: 'consumer_a' }, provider: { name: 'aggregator' }, interactions: [{ description: 'x' }], ...pact };
  return {
    consumerName: 'consumer_a',
    providerName: 'aggregator',
    specification: 'pact',
    contentType: 'application/json',
    content: Buffer.from(JSON.stringify(content)).toString('base64'),
    ...overrides,
  };
}

function publish(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${broker.url}/contracts/publish`, {
    method: 'POST',
    headers: { Authorization: WRITER, 'Content-Type': 'application/json', Accept: 'application/hal+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const request = (version = '1', extra: Record<string, unknown> = {}, contracts = [contract()]) => ({
  pacticipantName: 'consumer_a',
  pacticipantVersionNumber: version,
  contracts,
  ...extra,
});

describe('broker stand-in: authentication', () => {
  it('answers a missing or wrong password with the realm challenge and an empty body', async () => {
    for (const authorization of [undefined, basic('writer', 'wrong')]) {
      const response = await fetch(`${broker.url}/`, { headers: authorization ? { Authorization: authorization } : {} });

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="Restricted area"');
      expect(response.headers.get('content-type')).toBe('text/plain');
      expect(await response.text()).toBe('');
    }
  });

  it('answers another scheme with 400', async () => {
    const response = await fetch(`${broker.url}/`, { headers: { Authorization: 'Bearer something' } });

    expect(response.status).toBe(400);
  });

  it('lets the read-only user read, and answers its writes with 401 (not 403)', async () => {
    const read = await fetch(`${broker.url}/`, { headers: { Authorization: basic('reader', 'reader-secret') } });
    const write = await publish(request(), { Authorization: basic('reader', 'reader-secret') });

    expect(read.status).toBe(200);
    expect(write.status).toBe(401);
    expect(broker.publications).toEqual([]);
  });
});

describe('broker stand-in: index and publish', () => {
  it('serves the HAL index with the publish-contracts relation', async () => {
    const response = await fetch(`${broker.url}/`, { headers: { Authorization: WRITER } });
    const body = (await response.json()) as { _links: Record<string, { href: string }> };

    expect(response.headers.get('content-type')).toBe('application/hal+json;charset=utf-8');
    expect(body._links['pb:publish-contracts']?.href).toBe(`${broker.url}/contracts/publish`);
  });

  it('accepts a publication with 200, notices and the links the CLI reads', async () => {
    const response = await publish(request('1', { branch: 'main', tags: ['dev'] }));
    const body = (await response.json()) as { notices: { type: string; text: string }[]; _links: Record<string, unknown> };

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/hal+json;charset=utf-8');
    expect(body.notices.map((notice) => notice.text)).toEqual([
      'Created consumer_a version 1 with branch main and tags dev',
      'Pact successfully published for consumer_a version 1 and provider aggregator.',
      `  View the published pact at ${broker.url}/pacts/provider/aggregator/consumer/consumer_a/version/1`,
    ]);
    expect(Object.keys(body._links)).toEqual(['pb:pacticipant', 'pb:pacticipant-version', 'pb:pacticipant-version-tags', 'pb:contracts']);
  });

  it('refuses a body that is not JSON (400), a non-JSON content type (415) and an Accept it cannot meet (406)', async () => {
    expect((await publish('{not json')).status).toBe(400);
    expect((await publish(request(), { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await publish(request(), { Accept: 'text/html' })).status).toBe(406);
  });

  it('reports schema errors by field, per-contract ones with their index', async () => {
    const response = await publish({
      pacticipantName: 'consumer_a',
      contracts: [contract({ consumerName: 'WRONG' }, { consumer: { name: 'WRONG' } }), contract({ content: 'not base64!' })],
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: {
        pacticipantVersionNumber: ['is missing'],
        contracts: ["consumerName ('WRONG') must match pacticipantName ('consumer_a') (at index 0)", 'content is not valid Base64 (at index 1)'],
      },
    });
  });

  it('accepts identical content again, ignoring metadata and interaction order', async () => {
    const interactions = [{ description: 'a' }, { description: 'b' }];
    await publish(request('1', {}, [contract({}, { interactions, metadata: { 'pact-js': { version: '1' } } })]));

    const again = await publish(request('1', {}, [contract({}, { interactions: [...interactions].reverse(), metadata: { 'pact-js': { version: '2' } } })]));

    expect(again.status).toBe(200);
    expect(JSON.stringify(await again.json())).toContain('republished for consumer_a version 1 and provider aggregator with no content changes');
  });

  it('refuses changed content for a published version with 409, before writing anything', async () => {
    await publish(request('1'));

    const changed = await publish(request('1', { branch: 'other' }, [contract({}, { interactions: [{ description: 'changed' }] })]));
    const body = (await changed.json()) as { errors: { contracts: string[] }; notices: { type: string }[] };

    expect(changed.status).toBe(409);
    expect(changed.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(body.errors.contracts[0]).toMatch(/^Cannot change the content of the pact for consumer_a version 1 and provider aggregator/);
    expect(body.notices[0]?.type).toBe('error');
    expect(broker.publications).toHaveLength(1);
  });

  it('answers 503 the number of times it is told to, then recovers', async () => {
    broker.failNext(2);

    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${broker.url}/`, { headers: { Authorization: WRITER } })).status);

    expect(statuses).toEqual([503, 503, 200]);
  });
});
