import { PerCapitaClient } from '../../src/consumer-b/per-capita-client';
import { AggregatorError, InvalidInputError } from '../../src/shared/aggregator-http';
import { caughtFrom } from './caught';
import { fixtureServerPerFile, type ScriptedAnswer } from './fixture-server';

// consumer-b's own behaviour: its limit, the ranking it makes of an answer, and that it hands its options to the
// shared transport. The path it asks for is its contract's (tests/contracts/consumer-b.pact.test.ts); the transport's
// checks of the base URL and options, and how a path joins the base URL's, are aggregator-http.test.ts's.

const server = fixtureServerPerFile();

function clientAnswering(answer: ScriptedAnswer): PerCapitaClient {
  return new PerCapitaClient(server.answerWith(answer));
}

const json = (value: unknown): ScriptedAnswer => ({ status: 200, body: JSON.stringify(value) });

const country = (code: string, percentCases: unknown) => ({
  code,
  name: `Country ${code}`,
  population: 1000,
  latestTotalCases: 10,
  diffFromPrevDay: 0,
  percentCases,
});

describe('PerCapitaClient input checks', () => {
  it.each([-1, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses the limit %p before sending anything',
    async (limit) => {
      const client = clientAnswering(json([]));

      const error = await client.highestPerCapita(limit).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(/^limit must be a positive integer/);
      expect(server.requests).toEqual([]);
    },
  );

  // JavaScript callers, or TypeScript through `as`: "got 2" for the string "2" would hide what is wrong.
  it.each([
    ['2', '"2"'],
    [2n, 'a bigint'],
    [Symbol('limit'), 'a symbol'],
    [{ valueOf: (): number => 2 }, 'an object'],
  ])('refuses the limit %p, not a number, saying what it is', async (limit, shown) => {
    const client = clientAnswering(json([]));

    const error = await client.highestPerCapita(limit as unknown as number).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(`limit must be a positive integer, got ${shown}`);
    expect(server.requests).toEqual([]);
  });
});

describe('PerCapitaClient transport', () => {
  it('hands its options to the transport, which refuses a timeout of 0', () => {
    const refusal = caughtFrom(() => new PerCapitaClient('http://127.0.0.1:8080', { timeoutMs: 0 }));

    expect(refusal).toBeInstanceOf(InvalidInputError);
  });
});

describe('PerCapitaClient ranking', () => {
  it('turns percentCases into numbers and ranks highest first, whatever order the aggregator sends', async () => {
    const client = clientAnswering(
      json([
        country('AAA', '0.000000000000000'),
        country('BBB', '0.250000000000000'),
        country('CCC', '0.033025966351611'),
      ]),
    );

    const ranking = await client.highestPerCapita();

    expect(ranking.map((entry) => [entry.code, entry.percentCases])).toEqual([
      ['BBB', 0.25],
      ['CCC', 0.033025966351611],
      ['AAA', 0],
    ]);
    expect(ranking[0]).toEqual({ code: 'BBB', name: 'Country BBB', population: 1000, percentCases: 0.25 });
  });

  it('returns at most `limit` countries', async () => {
    const client = clientAnswering(
      json([
        country('AAA', '0.100000000000000'),
        country('BBB', '0.300000000000000'),
        country('CCC', '0.200000000000000'),
      ]),
    );

    const ranking = await client.highestPerCapita(2);

    expect(ranking.map((entry) => entry.code)).toEqual(['BBB', 'CCC']);
  });

  it.each([
    ['not a number'],
    ['-0.500000000000000'],
    ['1e-5'],
    [''],
    ['0.5'],
    ['0.0330259663516110'],
    [' 0.033025966351611'],
  ])('refuses percentCases %j with a typed error', async (value) => {
    const client = clientAnswering(json([country('IND', value)]));

    const error = await client.highestPerCapita().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AggregatorError);
    expect(error).toMatchObject({ operation: 'highestPerCapita', kind: 'invalid-response' });
    expect((error as Error).message).toBe(
      `highestPerCapita failed: percentCases of IND should be a decimal string with 15 decimals such as "0.033025966351611", got ${JSON.stringify(value)}`,
    );
  });

  it('quotes only the start of a percentCases too long to show, with its length', async () => {
    const client = clientAnswering(json([country('IND', 'x'.repeat(100_000))]));

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      kind: 'invalid-response',
      message: `highestPerCapita failed: percentCases of IND should be a decimal string with 15 decimals such as "0.033025966351611", got "${'x'.repeat(60)}"… (100000 characters)`,
    });
  });

  it('refuses a percentCases too large to be a finite number', async () => {
    const client = clientAnswering(json([country('IND', `${'9'.repeat(400)}.000000000000000`)]));

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      kind: 'invalid-response',
      message: 'highestPerCapita failed: percentCases of IND is too large to be a ratio, got 416 characters',
    });
  });

  // The aggregator's HEAD: population zeroed, so every ratio "0.000000000000000". A ranking of that is meaningless.
  it("refuses a country with population 0, as the aggregator's regression sends", async () => {
    const client = clientAnswering(json([{ ...country('IND', '0.000000000000000'), population: 0 }]));

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      operation: 'highestPerCapita',
      kind: 'invalid-response',
      message: 'highestPerCapita failed: country field "population" should be a positive safe integer, got 0',
    });
  });

  it.each([-1_000, 2 ** 53])('refuses the population %p', async (population) => {
    const client = clientAnswering(json([{ ...country('IND', '0.000000000000000'), population }]));

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      message: expect.stringContaining(
        `country field "population" should be a positive safe integer, got ${population}`,
      ) as string,
    });
  });

  it("refuses percentCases sent as a JSON number (the provider's first version)", async () => {
    const client = clientAnswering(json([country('IND', 0.033)]));

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      message: expect.stringMatching(/field "percentCases" should be a string, got 0.033/) as string,
    });
  });

  it('does not follow a redirect', async () => {
    const client = clientAnswering({ status: 302, headers: { Location: 'http://127.0.0.1:9/countries/percapita' } });

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      kind: 'unexpected-status',
      status: 302,
      message:
        'highestPerCapita failed: the aggregator answered HTTP 302, a redirect to "http://127.0.0.1:9/countries/percapita"; redirects are not followed',
    });
  });

  it('maps an unexpected status to an AggregatorError', async () => {
    const client = clientAnswering({ status: 404 });

    await expect(client.highestPerCapita()).rejects.toMatchObject({
      kind: 'unexpected-status',
      status: 404,
      message: 'highestPerCapita failed: the aggregator answered HTTP 404',
    });
  });
});
