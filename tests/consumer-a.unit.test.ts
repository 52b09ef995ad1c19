import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CountryDirectoryClient } from '../src/consumer-a/country-directory-client';
import { AggregatorError, InvalidInputError } from '../src/shared/aggregator-http';
import { startFixtureServer, unusedUrl, type FixtureServer, type ScriptedAnswer } from './support/http-fixture';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientAnswering(answer: ScriptedAnswer, timeoutMs?: number): Promise<CountryDirectoryClient> {
  server = await startFixtureServer(answer);
  return new CountryDirectoryClient(server.url, { timeoutMs });
}

const json = (value: unknown): ScriptedAnswer => ({ status: 200, body: JSON.stringify(value) });

describe('CountryDirectoryClient input checks', () => {
  it.each(['', 'IN', 'INDI', 'I1D', 'IN ', '../'])('refuses the code %j before sending anything', async (code) => {
    const client = await clientAnswering(json({}));

    await expect(client.getCountry(code)).rejects.toThrow(InvalidInputError);
    await expect(client.getCountry(code)).rejects.toThrow(/three-letter ISO 3166-1 alpha-3/);
    expect(server?.requests).toEqual([]);
  });

  it('asks for a lower-case code in upper case', async () => {
    const client = await clientAnswering({ status: 404 });

    await client.getCountry('deu');

    expect(server?.requests).toEqual(['/countries/DEU']);
  });

  it.each(['localhost:8080', 'not a url', 'ftp://example.com'])('refuses the base URL %j', (baseUrl) => {
    expect(() => new CountryDirectoryClient(baseUrl)).toThrow(/baseUrl must/);
  });

  it('keeps a path prefix of the base URL', async () => {
    server = await startFixtureServer(json([]));

    await new CountryDirectoryClient(`${server.url}/aggregator`).listCountries();

    expect(server.requests).toEqual(['/aggregator/countries']);
  });
});

describe('CountryDirectoryClient response handling', () => {
  it('keeps only the fields the directory uses', async () => {
    const client = await clientAnswering(
      json([{ code: 'DEU', name: 'Germany', population: 83000000, latestTotalCases: 5, diffFromPrevDay: 0, percentCases: '0.000000060240964' }]),
    );

    await expect(client.listCountries()).resolves.toEqual([{ code: 'DEU', name: 'Germany', population: 83000000 }]);
  });

  it('maps an unexpected status to an AggregatorError naming the call', async () => {
    const client = await clientAnswering({ status: 500, body: '{"error":"boom"}' });

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AggregatorError);
    expect(error).toMatchObject({ operation: 'listCountries', kind: 'unexpected-status', status: 500 });
    expect((error as Error).message).toBe('listCountries failed: the aggregator answered HTTP 500');
  });

  it('treats any status but 200 and 404 from getCountry as an error', async () => {
    const client = await clientAnswering({ status: 503 });

    await expect(client.getCountry('IND')).rejects.toMatchObject({ operation: 'getCountry', status: 503 });
  });

  it('rejects a body that is not JSON', async () => {
    const client = await clientAnswering({ status: 200, body: '<html>', contentType: 'text/html' });

    await expect(client.listCountries()).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('rejects a list that is not an array', async () => {
    const client = await clientAnswering(json({ countries: [] }));

    await expect(client.listCountries()).rejects.toThrow('listCountries failed: expected a JSON array of countries in the response body');
  });

  it('rejects a country whose field has the wrong type, naming the field', async () => {
    const client = await clientAnswering(
      json({ code: 'IND', name: 'India', population: '1353200000', latestTotalCases: 1, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('IND')).rejects.toThrow('getCountry failed: country field "population" should be an integer, got "1353200000"');
  });

  it('rejects the provider\'s empty country (code null) instead of passing nulls on', async () => {
    const client = await clientAnswering(json({ code: null, name: null, population: 0, latestTotalCases: 0, diffFromPrevDay: 0 }));

    await expect(client.getCountry('IND')).rejects.toThrow(/field "code" should be a three-letter upper-case code, got null/);
  });

  it('reports a timeout without axios details', async () => {
    const client = await clientAnswering({ status: 200, hang: true }, 100);

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ kind: 'timeout', message: 'listCountries failed: no answer from the aggregator within 100 ms' });
    expect(Object.keys(error as object)).not.toContain('config');
  });

  it('reports an aggregator that is not listening', async () => {
    const client = new CountryDirectoryClient(await unusedUrl());

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'unreachable',
      message: 'listCountries failed: could not reach the aggregator (ECONNREFUSED)',
    });
  });
});

describe('CountryDirectoryClient connections', () => {
  // Pact gives every test a new mock server on a random port, and ports get reused. A client must never
  // send its request down a kept-alive connection that another client opened to an earlier server.
  it('never reuses a connection another client opened to a server that has since gone', async () => {
    const listen = async (server: http.Server, port = 0) => {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const answering = (name: string) =>
      http.createServer((request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify([{ code: 'ABC', name, population: 1 }]));
      });
    const first = answering('first server');
    const port = await listen(first);
    await new CountryDirectoryClient(`http://127.0.0.1:${port}`).listCountries();
    // Stop listening but leave the idle kept-alive connection open, as a finished mock server may.
    first.close();
    const second = answering('second server');
    await listen(second, port);

    try {
      const countries = await new CountryDirectoryClient(`http://127.0.0.1:${port}`).listCountries();

      expect(countries[0]?.name).toBe('second server');
    } finally {
      first.closeAllConnections();
      second.closeAllConnections();
      second.close();
    }
  });
});
