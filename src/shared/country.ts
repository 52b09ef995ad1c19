/**
 * A country exactly as the aggregator serialises it. Each consumer picks only the fields it uses,
 * so its contract never pins a field the provider should stay free to change.
 */
export interface AggregatorCountry {
  /** ISO 3166-1 alpha-3, upper case. */
  code: string;
  name: string;
  population: number;
  latestTotalCases: number;
  diffFromPrevDay: number;
  /** latestTotalCases / population as a decimal string with 15 decimals, e.g. "0.033025966351611". */
  percentCases: string;
}

export type CountryField = keyof AggregatorCountry;

/** ISO 3166-1 alpha-3 as the aggregator sends it. */
export const COUNTRY_CODE_PATTERN = /^[A-Z]{3}$/;

/** `percentCases` as the aggregator formats it (`String.format("%.15f")`). */
export const PERCENT_CASES_PATTERN = /^\d+\.\d{15}$/;
