import type { AggregatorCountry } from '../shared/country';
import {
  AggregatorError,
  AggregatorHttp,
  InvalidInputError,
  described,
  pickCountries,
  pickCountry,
  unexpectedStatus,
  type AggregatorClientOptions,
} from '../shared/aggregator-http';

/** What the directory shows in its list. */
export const SUMMARY_FIELDS = ['code', 'name', 'population'] as const;
export type CountrySummary = Pick<AggregatorCountry, (typeof SUMMARY_FIELDS)[number]>;

/** What the directory shows on a country's page. */
export const DETAIL_FIELDS = ['code', 'name', 'population', 'latestTotalCases', 'diffFromPrevDay'] as const;
export type CountryDetails = Pick<AggregatorCountry, (typeof DETAIL_FIELDS)[number]>;

const ANY_CASE_ALPHA3 = /^[A-Za-z]{3}$/;

/** consumer-a: a country directory backed by the aggregator. */
export class CountryDirectoryClient {
  private readonly http: AggregatorHttp;

  constructor(baseUrl: string, options?: AggregatorClientOptions) {
    this.http = new AggregatorHttp(baseUrl, options);
  }

  async listCountries(): Promise<CountrySummary[]> {
    const { status, body } = await this.http.getJson('listCountries', '/countries');
    if (status !== 200) throw unexpectedStatus('listCountries', status);
    return pickCountries('listCountries', body, SUMMARY_FIELDS);
  }

  /** One country by its ISO 3166-1 alpha-3 code (any case); `null` when the aggregator does not know it. */
  async getCountry(code: string): Promise<CountryDetails | null> {
    // A string first: anything else would be checked through its toString and sent through its own toUpperCase,
    // and the two need not agree (a "../.." would leave the base path).
    if (typeof code !== 'string' || !ANY_CASE_ALPHA3.test(code)) {
      throw new InvalidInputError(
        'code',
        `must be a three-letter ISO 3166-1 alpha-3 country code such as "IND", got ${described(code)}`,
      );
    }
    // ASCII letters only, so upper-casing keeps three letters (as "ß" → "SS" would not); this is the one value
    // sent and compared. Encoding changes nothing after the check, and keeps it one path segment if the check changes.
    const wanted = code.toUpperCase();
    const { status, body } = await this.http.getJson('getCountry', `/countries/${encodeURIComponent(wanted)}`);
    if (status === 404) return null;
    if (status !== 200) throw unexpectedStatus('getCountry', status);
    const country = pickCountry('getCountry', body, DETAIL_FIELDS);
    // pickCountry has checked the code is three upper-case letters, so both are short and compare as normalised.
    if (country.code !== wanted) {
      throw new AggregatorError(
        'getCountry',
        'invalid-response',
        `asked for the country "${wanted}", the aggregator answered with "${country.code}"`,
        status,
      );
    }
    return country;
  }
}
