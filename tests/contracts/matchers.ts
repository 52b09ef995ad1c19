import { MatchersV3 } from '@pact-foundation/pact';
import { COUNTRY_CODE_PATTERN, PERCENT_CASES_PATTERN } from '../../src/shared/country';

const { regex } = MatchersV3;

/** The pact-js matchers our specs use. */
export const { eachLike, integer, string } = MatchersV3;

/** Request headers every client sends. */
export const ACCEPTS_JSON = { Accept: 'application/json' };

/** Spring may add a charset (`application/json;charset=UTF-8`); both are JSON to our clients. */
export const JSON_RESPONSE_HEADERS = {
  'Content-Type': regex('^application/json(;\\s*charset=[\\w-]+)?$', 'application/json'),
};

export const countryCode = (example: string) => regex(COUNTRY_CODE_PATTERN.source, example);

/** Both rules must hold (AND); pact-js types allow one matcher per value, the core's integration format takes a list. */
function allOf<T>(example: T, ...rules: Record<string, unknown>[]): MatchersV3.Matcher<T> {
  return { 'pact:matcher:type': rules, value: example } as unknown as MatchersV3.Matcher<T>;
}

/**
 * A whole number above 0, such as a population. `integer` alone accepts 0 and negatives (the aggregator's
 * HEAD answers population 0 for every country); a regex alone would accept the string "5" (Pact matches a
 * number's text). Both together reject 0, negatives, fractions and strings, and accept any positive integer.
 */
export const positiveInteger = (example: number): MatchersV3.Matcher<number> =>
  allOf(example, { 'pact:matcher:type': 'integer' }, { 'pact:matcher:type': 'regex', regex: '^[1-9]\\d*$' });

/** A whole number, 0 or more, such as a case count: the clients refuse a negative one. */
export const nonNegativeInteger = (example: number): MatchersV3.Matcher<number> =>
  allOf(example, { 'pact:matcher:type': 'integer' }, { 'pact:matcher:type': 'regex', regex: '^\\d+$' });

/**
 * A ratio the provider writes as a JSON string with exactly 15 decimals. A regex alone would also accept the
 * JSON number 0.033025966351611 (Pact matches a number's text), so a type rule is combined with it (AND).
 */
export const percentCases = (example: string): MatchersV3.Matcher<string> =>
  allOf(example, { 'pact:matcher:type': 'type' }, { 'pact:matcher:type': 'regex', regex: PERCENT_CASES_PATTERN.source });
