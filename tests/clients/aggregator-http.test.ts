import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AggregatorError,
  AggregatorHttp,
  InvalidInputError,
  MAX_TIMEOUT_MS,
  type AggregatorClientOptions,
} from '../../src/shared/aggregator-http';
import { caughtFrom } from './caught';
import { startFixtureServer, type FixtureServer, type FaultyAnswer } from './fixture-server';

// The shared transport with servers that behave: what it refuses when constructed (base URL, options), how a
// request's path joins the base URL's, plain-text reads (the aggregator's /ping) and its own connections. Every
// client constructs one, so these are tested here once, for all of them; a client's own tests check what it adds.
// How the transport meets a misbehaving server is aggregator-http.faults.test.ts.

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echoAccept: FaultyAnswer = (request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain;charset=UTF-8' });
  response.end(`accept=${request.headers.accept ?? ''}`);
};

describe('AggregatorHttp base URL checks', () => {
  it.each(['localhost:8080', 'not a url', 'ftp://example.com'])('refuses the base URL %j', (baseUrl) => {
    const refusal = caughtFrom(() => new AggregatorHttp(baseUrl));

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toMatch(/baseUrl must/);
  });

  it.each([
    'http://127.0.0.1:8080/?debug=1',
    'http://127.0.0.1:8080/#top',
    'http://127.0.0.1:8080/?',
    'http://127.0.0.1:8080#',
  ])('refuses the base URL %j with a query string or fragment', (baseUrl) => {
    const refusal = caughtFrom(() => new AggregatorHttp(baseUrl));

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toMatch(/^baseUrl must not have a query string or fragment/);
  });

  // "Hunter2:x@y" parses as the scheme "hunter2:": a password pasted without its user and host.
  it.each([
    'http://127.0.0.1:8080/?token=hunter2-secret',
    'not a url hunter2-secret',
    'Hunter2-Secret:x@y',
    'http://reader:hunter2@127.0.0.1:8080',
  ])('never repeats any part of a refused base URL (%j), which may hold a secret', (baseUrl) => {
    const refusal = caughtFrom(() => new AggregatorHttp(baseUrl));

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).not.toMatch(/hunter2/i);
  });

  it('refuses a base URL of another scheme, saying which schemes it takes', () => {
    const refusal = caughtFrom(() => new AggregatorHttp('ftp://example.com'));

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toBe(
      'baseUrl must start with http:// or https://, such as http://localhost:8080',
    );
  });

  // A URL object, or an object whose toString gives a URL, would be read through a conversion the types never promised.
  it.each([undefined, 8080, new URL('http://127.0.0.1:8080'), { toString: () => 'http://127.0.0.1:8080' }])(
    'refuses the base URL %p, not a string',
    (baseUrl) => {
      const refusal = caughtFrom(() => new AggregatorHttp(baseUrl as unknown as string));

      expect(refusal).toBeInstanceOf(InvalidInputError);
      expect((refusal as Error).message).toBe(
        'baseUrl must be a string, an absolute http(s) URL such as http://localhost:8080',
      );
    },
  );

  it('refuses a base URL with credentials without repeating them', () => {
    const refusal = caughtFrom(() => new AggregatorHttp('http://reader:s3cret@127.0.0.1:8080'));

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toBe('baseUrl must not contain credentials (user:password@)');
    expect((refusal as Error).message).not.toMatch(/s3cret/);
  });

  it('keeps a path prefix of the base URL', async () => {
    server = await startFixtureServer({ status: 200, body: '[]' });

    await new AggregatorHttp(`${server.url}/aggregator`).getJson('listCountries', '/countries');

    expect(server.requests).toEqual(['/aggregator/countries']);
  });

  it('keeps a path prefix given with a trailing slash', async () => {
    server = await startFixtureServer({ status: 200, body: '[]' });

    await new AggregatorHttp(`${server.url}/api/v1/`).getJson('listCountries', '/countries');

    expect(server.requests).toEqual(['/api/v1/countries']);
  });
});

describe('AggregatorHttp option checks', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMEOUT_MS + 1])(
    'refuses the timeout %p',
    (timeoutMs) => {
      const refusal = caughtFrom(() => new AggregatorHttp('http://127.0.0.1:8080', { timeoutMs }));

      expect(refusal).toBeInstanceOf(InvalidInputError);
      expect((refusal as Error).message).toBe(`timeoutMs must be an integer from 1 to 2147483647, got ${timeoutMs}`);
    },
  );

  // A timeout read from the environment is a string: "got 100" would read as a valid timeout.
  it.each([
    ['100', '"100"'],
    [Symbol('timeout'), 'a symbol'],
    [{ valueOf: (): number => 100 }, 'an object'],
  ])('refuses the timeout %p, not a number, saying what it is', (timeoutMs, shown) => {
    const refusal = caughtFrom(
      () => new AggregatorHttp('http://127.0.0.1:8080', { timeoutMs: timeoutMs as unknown as number }),
    );

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toBe(`timeoutMs must be an integer from 1 to 2147483647, got ${shown}`);
  });

  // null crashed reading its fields; a number (a timeout meant as the second argument) was silently ignored.
  it.each([
    [null, 'null'],
    [5000, '5000'],
    [[], 'an array'],
    ['fast', '"fast"'],
  ])('refuses the options %p, not an object', (options, shown) => {
    const refusal = caughtFrom(
      () => new AggregatorHttp('http://127.0.0.1:8080', options as unknown as AggregatorClientOptions),
    );

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toBe(`options must be an object such as { timeoutMs: 5000 }, got ${shown}`);
  });

  it("accepts the longest timeout Node's timers can keep", () => {
    expect(new AggregatorHttp('http://127.0.0.1:8080', { timeoutMs: MAX_TIMEOUT_MS })).toBeInstanceOf(AggregatorHttp);
  });

  it.each([0, -1, 2.5, Number.NaN, 2 ** 40])('refuses the response size limit %p', (maxResponseBytes) => {
    const refusal = caughtFrom(() => new AggregatorHttp('http://127.0.0.1:8080', { maxResponseBytes }));

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toMatch(/^maxResponseBytes must be an integer from 1 to \d+, got /);
  });
});

describe('AggregatorHttp.getText', () => {
  it('reads a plain-text answer and asks for text', async () => {
    server = await startFixtureServer(echoAccept);

    const answer = await new AggregatorHttp(server.url).getText('ping', '/ping');

    expect(answer).toEqual({ status: 200, body: 'accept=text/plain' });
  });

  it('returns the status without a body for an answer that is not 2xx', async () => {
    server = await startFixtureServer({ status: 503, body: 'down for maintenance', contentType: 'text/plain' });

    await expect(new AggregatorHttp(server.url).getText('ping', '/ping')).resolves.toEqual({
      status: 503,
      body: undefined,
    });
  });

  it('follows no redirect, as JSON reads do', async () => {
    server = await startFixtureServer({ status: 302, headers: { Location: 'http://127.0.0.1:1/elsewhere' } });

    await expect(new AggregatorHttp(server.url).getText('ping', '/ping')).rejects.toMatchObject({
      kind: 'unexpected-status',
      status: 302,
    });
    await expect(new AggregatorHttp(server.url).getText('ping', '/ping')).rejects.toBeInstanceOf(AggregatorError);
  });
});

describe('AggregatorHttp connections', () => {
  // Pact gives every test a new mock server on a random port, and ports get reused. A client must never
  // send its request down a kept-alive connection that another client opened to an earlier server.
  it('never reuses a connection another client opened to a server that has since gone', async () => {
    const listen = async (server: http.Server, port = 0) => {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const answering = (name: string) =>
      http.createServer((request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.end(name);
      });
    const first = answering('first server');
    const port = await listen(first);
    await new AggregatorHttp(`http://127.0.0.1:${port}`).getText('ping', '/ping');
    // Stop listening but leave the idle kept-alive connection open, as a finished mock server may.
    first.close();
    const second = answering('second server');
    await listen(second, port);

    try {
      const answer = await new AggregatorHttp(`http://127.0.0.1:${port}`).getText('ping', '/ping');

      expect(answer.body).toBe('second server');
    } finally {
      first.closeAllConnections();
      second.closeAllConnections();
      second.close();
    }
  });
});
