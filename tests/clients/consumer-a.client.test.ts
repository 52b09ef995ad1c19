import { CountryDirectoryClient } from '../../src/consumer-a/country-directory-client';
import { AggregatorError, InvalidInputError, type AggregatorClientOptions } from '../../src/shared/aggregator-http';
import { fixtureServerPerFile, unusedUrl, type FaultyAnswer, type ScriptedAnswer } from './fixture-server';

// consumer-a's own behaviour: input checks and what it reads from an answer. The paths it asks for are its contract's
// (tests/contracts/consumer-a.pact.test.ts, upper-casing a code included); the shared transport's checks of the base
// URL and options, and how a path joins the base URL's, are aggregator-http.test.ts's; how it meets a misbehaving
// server (deadlines, redirects, size cap, fault kinds) is aggregator-http.faults.test.ts's.

const server = fixtureServerPerFile();

function clientAnswering(
  answer: ScriptedAnswer | FaultyAnswer,
  options?: AggregatorClientOptions | number,
): CountryDirectoryClient {
  return new CountryDirectoryClient(
    server.answerWith(answer),
    typeof options === 'number' ? { timeoutMs: options } : options,
  );
}

const json = (value: unknown): ScriptedAnswer => ({ status: 200, body: JSON.stringify(value) });

describe('CountryDirectoryClient input checks', () => {
  it.each(['', 'IN', 'INDI', 'I1D', 'IN ', '../'])('refuses the code %j before sending anything', async (code) => {
    const client = clientAnswering(json({}));

    const error = await client.getCountry(code).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/three-letter ISO 3166-1 alpha-3/);
    expect(server.requests).toEqual([]);
  });

  // JavaScript callers, or TypeScript through `as`, can pass anything.
  it.each([
    [['IND'], 'an array'],
    [{ toString: () => 'IND' }, 'an object'],
    [356, '356'],
    [null, 'null'],
    [undefined, 'nothing'],
  ])('refuses the code %p, not a string, before sending anything', async (code, shown) => {
    const client = clientAnswering(json({}));

    const error = await client.getCountry(code as unknown as string).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      `code must be a three-letter ISO 3166-1 alpha-3 country code such as "IND", got ${shown}`,
    );
    expect(server.requests).toEqual([]);
  });

  // The hostile case: a code checked through its toString and sent through its own toUpperCase.
  it("never sends a code object's own upper-casing, which could climb out of the base path", async () => {
    const url = server.answerWith({ status: 404 });
    const code = { toString: () => 'IND', toUpperCase: () => '../../admin/delete' };

    await expect(
      new CountryDirectoryClient(`${url}/api/v1`).getCountry(code as unknown as string),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(server.requests).toEqual([]);
  });

  it('quotes only the start of a refused code too long to show', async () => {
    const client = clientAnswering(json({}));

    await expect(client.getCountry('x'.repeat(100_000))).rejects.toMatchObject({
      message: `code must be a three-letter ISO 3166-1 alpha-3 country code such as "IND", got "${'x'.repeat(60)}"… (100000 characters)`,
    });
  });
});

describe('CountryDirectoryClient response handling', () => {
  it('keeps only the fields the directory uses', async () => {
    const client = clientAnswering(
      json([
        {
          code: 'DEU',
          name: 'Germany',
          population: 83000000,
          latestTotalCases: 5,
          diffFromPrevDay: 0,
          percentCases: '0.000000060240964',
        },
      ]),
    );

    await expect(client.listCountries()).resolves.toEqual([{ code: 'DEU', name: 'Germany', population: 83000000 }]);
  });

  it('maps an unexpected status to an AggregatorError naming the call', async () => {
    const client = clientAnswering({ status: 500, body: '{"error":"boom"}' });

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AggregatorError);
    expect(error).toMatchObject({ operation: 'listCountries', kind: 'unexpected-status', status: 500 });
    expect((error as Error).message).toBe('listCountries failed: the aggregator answered HTTP 500');
  });

  it('treats any status but 200 and 404 from getCountry as an error', async () => {
    const client = clientAnswering({ status: 503 });

    await expect(client.getCountry('IND')).rejects.toMatchObject({ operation: 'getCountry', status: 503 });
  });

  it('rejects a body that is not JSON', async () => {
    const client = clientAnswering({ status: 200, body: '<html>', contentType: 'text/html' });

    await expect(client.listCountries()).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('rejects a list that is not an array', async () => {
    const client = clientAnswering(json({ countries: [] }));

    await expect(client.listCountries()).rejects.toMatchObject({
      message: 'listCountries failed: expected a JSON array of countries in the response body',
    });
  });

  it('rejects a country whose field has the wrong type, naming the field', async () => {
    const client = clientAnswering(
      json({ code: 'IND', name: 'India', population: '1353200000', latestTotalCases: 1, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      message: 'getCountry failed: country field "population" should be a positive safe integer, got "1353200000"',
    });
  });

  // The aggregator's HEAD zeroes every population: a directory must not show that as data.
  it.each([0, -5, 1.5, 2 ** 53])('rejects the population %p in the list', async (population) => {
    const client = clientAnswering(json([{ code: 'IND', name: 'India', population }]));

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({ kind: 'invalid-response' });
    expect((error as Error).message).toBe(
      `listCountries failed: country field "population" should be a positive safe integer, got ${JSON.stringify(population)}`,
    );
  });

  it('rejects the population 0 of one country', async () => {
    const client = clientAnswering(
      json({ code: 'IND', name: 'India', population: 0, latestTotalCases: 1, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      kind: 'invalid-response',
      message: 'getCountry failed: country field "population" should be a positive safe integer, got 0',
    });
  });

  // A message is logged and shown: a value of any length (a 5 MB one made a 5 MB message) is cut to its start
  // and its length. The exact message proves the cut; a larger value would only slow the test.
  it('quotes only the start of a field value too long to show, with its length', async () => {
    const client = clientAnswering(json([{ code: 'IND', name: 'India', population: '1'.repeat(100_000) }]));

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'invalid-response',
      message: `listCountries failed: country field "population" should be a positive safe integer, got "${'1'.repeat(60)}"… (100000 characters)`,
    });
  });

  it('counts escapes in the quoted start, so control characters cannot lengthen it', async () => {
    const client = clientAnswering(json([{ code: 'IND', name: 'India', population: '\u0000'.repeat(1_000) }]));

    await expect(client.listCountries()).rejects.toMatchObject({
      message: expect.stringContaining(`got "${'\\u0000'.repeat(10)}"… (1000 characters)`) as string,
    });
  });

  // Deep enough that quoting it with JSON.stringify overflowed the stack (a RangeError, not an AggregatorError):
  // 5,000 levels already do on Node 24; 20,000 leave a margin for a larger stack.
  it.each([
    ['a deeply nested array', '['.repeat(20_000) + ']'.repeat(20_000), 'an array'],
    ['a large object', JSON.stringify({ digits: '1'.repeat(100_000) }), 'an object'],
  ])('describes %s by its kind only', async (_label, population, shown) => {
    const client = clientAnswering({ status: 200, body: `[{"code":"IND","name":"India","population":${population}}]` });

    await expect(client.listCountries()).rejects.toMatchObject({
      kind: 'invalid-response',
      message: `listCountries failed: country field "population" should be a positive safe integer, got ${shown}`,
    });
  });

  it.each([-1, 0.5, 2 ** 53])('rejects the case count %p', async (latestTotalCases) => {
    const client = clientAnswering(
      json({ code: 'IND', name: 'India', population: 10, latestTotalCases, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      message: expect.stringContaining(
        `country field "latestTotalCases" should be a safe integer, 0 or more, got ${JSON.stringify(latestTotalCases)}`,
      ) as string,
    });
  });

  it('accepts no cases at all and a negative day-over-day difference (a downward revision)', async () => {
    const client = clientAnswering(
      json({ code: 'TUV', name: 'Tuvalu', population: 11_204, latestTotalCases: 0, diffFromPrevDay: -3 }),
    );

    await expect(client.getCountry('TUV')).resolves.toEqual({
      code: 'TUV',
      name: 'Tuvalu',
      population: 11_204,
      latestTotalCases: 0,
      diffFromPrevDay: -3,
    });
  });

  it.each([1.5, -(2 ** 53), '3'])('rejects the day-over-day difference %p', async (diffFromPrevDay) => {
    const client = clientAnswering(
      json({ code: 'IND', name: 'India', population: 10, latestTotalCases: 1, diffFromPrevDay }),
    );

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      message: expect.stringContaining(
        `country field "diffFromPrevDay" should be a safe integer, got ${JSON.stringify(diffFromPrevDay)}`,
      ) as string,
    });
  });

  // An aggregator that mixes up its lookups must not get the wrong country's figures shown as the one asked for.
  it('rejects a country other than the one asked for', async () => {
    const client = clientAnswering(
      json({ code: 'USA', name: 'United States', population: 331_000_000, latestTotalCases: 1, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      operation: 'getCountry',
      kind: 'invalid-response',
      message: 'getCountry failed: asked for the country "IND", the aggregator answered with "USA"',
    });
  });

  it('accepts the country asked for in lower case, which the aggregator sends in upper case', async () => {
    const client = clientAnswering(
      json({ code: 'IND', name: 'India', population: 10, latestTotalCases: 1, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('ind')).resolves.toMatchObject({ code: 'IND' });
  });

  it("rejects the provider's empty country (code null) instead of passing nulls on", async () => {
    const client = clientAnswering(
      json({ code: null, name: null, population: 0, latestTotalCases: 0, diffFromPrevDay: 0 }),
    );

    await expect(client.getCountry('IND')).rejects.toMatchObject({
      message: expect.stringMatching(/field "code" should be a three-letter upper-case code, got null/) as string,
    });
  });

  it('reports a timeout without axios details', async () => {
    // The server never answers, so any deadline passes: the shortest keeps the test from waiting. How the deadline
    // holds against slow servers is aggregator-http.faults.test.ts's.
    const client = clientAnswering({ status: 200, hang: true }, 1);

    const error = await client.listCountries().catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      kind: 'timeout',
      message: 'listCountries failed: no complete answer from the aggregator within 1 ms',
    });
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
