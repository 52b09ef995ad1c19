import { PERCENT_CASES_PATTERN, type AggregatorCountry } from '../shared/country';
import {
  AggregatorError,
  AggregatorHttp,
  InvalidInputError,
  described,
  pickCountries,
  quoted,
  unexpectedStatus,
  type AggregatorClientOptions,
} from '../shared/aggregator-http';

/** The fields the ranking reads from the aggregator. */
export const RANKING_FIELDS = ['code', 'name', 'population', 'percentCases'] as const;

/** One row of the ranking: `percentCases` as a number, ready to compare and display. */
export type PerCapitaEntry = Pick<AggregatorCountry, 'code' | 'name' | 'population'> & { percentCases: number };

/** consumer-b: a ranking of countries by cases per capita. */
export class PerCapitaClient {
  private readonly http: AggregatorHttp;

  constructor(baseUrl: string, options?: AggregatorClientOptions) {
    this.http = new AggregatorHttp(baseUrl, options);
  }

  /** Countries ordered by `percentCases`, highest first; at most `limit` of them when given. */
  async highestPerCapita(limit?: number): Promise<PerCapitaEntry[]> {
    // Number.isInteger is false for anything but a number primitive, so the limit sliced by is the one checked.
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      // Described, not interpolated: a Symbol cannot be, and a string "2" would read as the number 2.
      throw new InvalidInputError('limit', `must be a positive integer, got ${described(limit)}`);
    }
    const { status, body } = await this.http.getJson('highestPerCapita', '/countries/percapita');
    if (status !== 200) throw unexpectedStatus('highestPerCapita', status);
    const ranking = pickCountries('highestPerCapita', body, RANKING_FIELDS).map(toEntry);
    // The aggregator sorts already, but no contract can promise an order over data it does not know: sort here.
    ranking.sort((a, b) => b.percentCases - a.percentCases);
    return limit === undefined ? ranking : ranking.slice(0, limit);
  }
}

/** `percentCases` as a number; the population was already checked positive by pickCountries. */
function toEntry(country: Pick<AggregatorCountry, (typeof RANKING_FIELDS)[number]>): PerCapitaEntry {
  // The provider's format exactly (15 decimals, never negative), as the contract pins it.
  if (!PERCENT_CASES_PATTERN.test(country.percentCases)) {
    throw new AggregatorError(
      'highestPerCapita',
      'invalid-response',
      `percentCases of ${country.code} should be a decimal string with 15 decimals such as "0.033025966351611", got ${quoted(country.percentCases)}`,
    );
  }
  const percentCases = Number(country.percentCases);
  // The pattern allows any number of integer digits; past ~309 of them the number is Infinity and cannot be ranked.
  if (!Number.isFinite(percentCases)) {
    throw new AggregatorError(
      'highestPerCapita',
      'invalid-response',
      `percentCases of ${country.code} is too large to be a ratio, got ${country.percentCases.length} characters`,
    );
  }
  return { ...country, percentCases };
}
