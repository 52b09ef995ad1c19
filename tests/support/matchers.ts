import { MatchersV3, type Matcher } from './pact-js';
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

/**
 * A ratio the provider writes as a JSON string with exactly 15 decimals. A regex alone would also accept the
 * JSON number 0.033025966351611 (Pact matches a number's text), so a type rule is combined with it (AND).
 */
export function percentCases(example: string): Matcher<string> {
  const typeAndPattern = {
    'pact:matcher:type': [
      { 'pact:matcher:type': 'type' },
      { 'pact:matcher:type': 'regex', regex: PERCENT_CASES_PATTERN.source },
    ],
    value: example,
  };
  // pact-js types allow one matcher per value; the core's integration format takes a list (AND).
  return typeAndPattern as unknown as Matcher<string>;
}
