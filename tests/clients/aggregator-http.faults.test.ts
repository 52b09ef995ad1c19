import { gzipSync } from 'node:zlib';
import { AxiosError, type AxiosResponse } from 'axios';
import {
  AggregatorHttp,
  DEFAULT_MAX_RESPONSE_BYTES,
  classifyTransportError,
  pickCountries,
  unexpectedStatus,
  type AggregatorClientOptions,
} from '../../src/shared/aggregator-http';
import { cutOffBody, dropBeforeAnswering, headersThenSilence, largeBody, notHttp, trickle } from './faulty-answers';
import { startFixtureServer, type FaultyAnswer, type FixtureServer, type ScriptedAnswer } from './fixture-server';

// The transport every client shares (src/shared/aggregator-http.ts) against local servers that misbehave on
// purpose: the whole-request deadline, redirects, the size cap, and an error kind that tells the truth. Several
// of these wait on purpose (a deadline has to pass), so they live here, not in each consumer's own suite.

let server: FixtureServer | undefined;
let otherServer: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  await otherServer?.close();
  server = undefined;
  otherServer = undefined;
});

/** The smallest client of the transport, reading countries as the real clients do (their operation names too). */
class TransportProbe {
  private readonly http: AggregatorHttp;

  constructor(baseUrl: string, options?: AggregatorClientOptions) {
    this.http = new AggregatorHttp(baseUrl, options);
  }

  async listCountries() {
    const { status, body } = await this.http.getJson('listCountries', '/countries');
    if (status !== 200) throw unexpectedStatus('listCountries', status);
    return pickCountries('listCountries', body, ['code', 'name', 'population'] as const);
  }

  async getCountry(code: string) {
    const { status } = await this.http.getJson('getCountry', `/countries/${code}`);
    if (status !== 200) throw unexpectedStatus('getCountry', status);
  }
}

async function clientAnswering(
  answer: ScriptedAnswer | FaultyAnswer,
  options?: AggregatorClientOptions | number,
): Promise<TransportProbe> {
  server = await startFixtureServer(answer);
  return new TransportProbe(server.url, typeof options === 'number' ? { timeoutMs: options } : options);
}

const json = (value: unknown): ScriptedAnswer => ({ status: 200, body: JSON.stringify(value) });

describe('the shared transport under faults', () => {
  const NO_DEADLINE_PASSED = { deadlinePassed: false, timeoutMs: 1_000, maxResponseBytes: 1_000 };

  it('holds the timeout for the whole request against a server that trickles its body', async () => {
    // 60 bytes, one every 200 ms: 12 s in all, and never idle for long enough for an idle timeout.
    const client = await clientAnswering(trickle({ intervalMs: 200, bytes: 60 }), 300);
    const started = performance.now();

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      kind: 'timeout',
      message: 'listCountries failed: no complete answer from the aggregator within 300 ms',
    });
    // Generous: the point is 0.3 s rather than 12 s, not a benchmark.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('reports headers followed by silence as a timeout', async () => {
    const client = await clientAnswering(headersThenSilence, 200);

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'timeout',
      message: 'listCountries failed: no complete answer from the aggregator within 200 ms',
    });
  });

  it('does not follow a redirect to another server, and reports it with its status', async () => {
    otherServer = await startFixtureServer(json([{ code: 'EVL', name: 'Other server', population: 1 }]));
    const client = await clientAnswering({
      status: 301,
      headers: { Location: `${otherServer.url}/countries?token=abc` },
    });

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      kind: 'unexpected-status',
      status: 301,
      message: `listCountries failed: the aggregator answered HTTP 301, a redirect to "${otherServer.url}/countries"; redirects are not followed`,
    });
    expect(otherServer.requests).toEqual([]);
  });

  it('reports a redirect loop as the redirect it is, after one request', async () => {
    const client = await clientAnswering({ status: 302, headers: { Location: '/countries' } });

    await expect(client.listCountries()).rejects.toMatchObject({ kind: 'unexpected-status', status: 302 });
    expect(server?.requests).toEqual(['/countries']);
  });

  it('quotes only the start of a long redirect target, with its length', async () => {
    const client = await clientAnswering({ status: 302, headers: { Location: `/${'a'.repeat(10_000)}` } });

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'unexpected-status',
      message: `listCountries failed: the aggregator answered HTTP 302, a redirect to "/${'a'.repeat(59)}"… (10001 characters); redirects are not followed`,
    });
  });

  it('reports a 3xx without a Location as a redirect too', async () => {
    const client = await clientAnswering({ status: 307 });

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      kind: 'unexpected-status',
      message: 'getCountry failed: the aggregator answered HTTP 307, a redirect; redirects are not followed',
    });
  });

  it('refuses a body larger than the limit and stops reading it', async () => {
    const totalBytes = 50 * 1024 * 1024;
    const { answer, observed } = largeBody({ totalBytes });
    const client = await clientAnswering(answer);

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      kind: 'too-large',
      message: `listCountries failed: the aggregator's answer is larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes; stopped reading it`,
    });
    await expect(observed.closedEarly).resolves.toBe(true);
    // Socket buffers hold a few MB at most: far from the 50 MB a buffering client would have taken.
    expect(observed.bytesWritten).toBeLessThan(totalBytes / 2);
  });

  it('applies a configured response size limit', async () => {
    const client = await clientAnswering(json([{ code: 'IND', name: 'India', population: 1_353_200_000 }]), {
      maxResponseBytes: 16,
    });

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'too-large',
      message: "listCountries failed: the aggregator's answer is larger than 16 bytes; stopped reading it",
    });
  });

  it('counts the limit after decompression, so a small gzip body cannot expand past it', async () => {
    const expanded = `[${' '.repeat(2 * 1024 * 1024)}]`;
    const client = await clientAnswering(
      { status: 200, body: gzipSync(expanded), headers: { 'Content-Encoding': 'gzip' } },
      { maxResponseBytes: 1024 * 1024 },
    );

    await expect(client.listCountries()).rejects.toMatchObject({ kind: 'too-large' });
  });

  it('reads a gzip body that is what its header says', async () => {
    const countries = [{ code: 'IND', name: 'India', population: 1_353_200_000 }];
    const client = await clientAnswering({
      status: 200,
      body: gzipSync(JSON.stringify(countries)),
      headers: { 'Content-Encoding': 'gzip' },
    });

    await expect(client.listCountries()).resolves.toEqual(countries);
  });

  it('reports a gzip Content-Encoding over a body that is not gzip as an invalid response', async () => {
    const client = await clientAnswering({ status: 200, body: '[]', headers: { 'Content-Encoding': 'gzip' } });

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'invalid-response',
      message:
        "listCountries failed: the aggregator's body does not decode as its Content-Encoding header says (Z_DATA_ERROR)",
    });
  });

  it('reports a body cut off mid-way as an invalid response', async () => {
    const client = await clientAnswering(cutOffBody({ announcedBytes: 1_000, sentBody: '[{"code":"IND"' }));

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'invalid-response',
      message: 'listCountries failed: the connection closed before the whole body arrived',
    });
  });

  it('reports an answer that is not HTTP as an invalid response', async () => {
    const client = await clientAnswering(notHttp);

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ kind: 'invalid-response' });
    expect((error as Error).message).toMatch(
      /^listCountries failed: the aggregator's answer is not valid HTTP \(HPE_[A-Z_]+\)$/,
    );
  });

  it('reports a connection reset mid-body as an invalid response, not as unreachable', async () => {
    const client = await clientAnswering(
      cutOffBody({ announcedBytes: 1_000, sentBody: '[{"code":"IND"', reset: true }),
    );

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'invalid-response',
      message: 'listCountries failed: the connection closed before the whole body arrived',
    });
  });

  it('reports a connection closed before any answer as unreachable', async () => {
    const client = await clientAnswering(dropBeforeAnswering);

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'unreachable',
      message: 'listCountries failed: the aggregator closed the connection before answering (ECONNRESET)',
    });
  });

  // Codes the local servers above cannot provoke without a network: the mapping alone.
  it.each([
    ['ENOTFOUND', 'unreachable'],
    ['EAI_AGAIN', 'unreachable'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
  ] as const)('maps the code %s to %s', (code, kind) => {
    const error = Object.assign(new Error(`connect ${code}`), { code });

    expect(classifyTransportError(error, NO_DEADLINE_PASSED).kind).toBe(kind);
  });

  it('maps a reset after the response began to an invalid response', () => {
    // Node 20 reports this through axios' "stream has been aborted" (tested above); the code path covers a plain reset.
    const resetMidBody = new AxiosError('aborted', 'ECONNRESET', undefined, undefined, {
      status: 200,
    } as AxiosResponse);

    expect(classifyTransportError(resetMidBody, NO_DEADLINE_PASSED)).toEqual({
      kind: 'invalid-response',
      detail: 'the connection closed before the whole body arrived',
    });
  });

  it('does not call a cancellation a timeout unless the deadline passed', () => {
    const canceled = Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });

    expect(classifyTransportError(canceled, NO_DEADLINE_PASSED).kind).toBe('unreachable');
  });
});
