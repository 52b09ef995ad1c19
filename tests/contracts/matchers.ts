import { MatchersV3, type PactV4 } from '@pact-foundation/pact';
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

/** pact-js's response builder, named through PactV4 (the package root does not export its type). */
type ResponseBuilder = Parameters<
  NonNullable<Parameters<ReturnType<ReturnType<PactV4['addInteraction']>['withRequest']>['willRespondWith']>[1]>
>[0];

/** Spring answers a String handler (the aggregator's `/ping`) as `text/plain;charset=UTF-8`; any charset will do. */
export const TEXT_RESPONSE_HEADERS = {
  'Content-Type': regex('^text/plain(;\\s*charset=[\\w-]+)?$', 'text/plain'),
};

/**
 * A plain-text answer whose whole body matches `pattern` (the verifier matches a regex against the whole text, not
 * a part of it), with `example` as what the mock server answers. Use as `.willRespondWith(200, textBody(…))`.
 *
 * pact-js V4 has no text body of its own: `body()` stores any non-JSON body as bytes (base64, `"contentType": "*\/*"`)
 * with a rule that the provider's body be detected as the given type. So the type given is the bare `text/plain`
 * (the verifier detects `text/plain`, never `text/plain;charset=UTF-8`, and would reject that), and the Content-Type
 * header says what the body is, to a reader of the pact and to the verifier.
 */
export function textBody(pattern: RegExp, example: string): (response: ResponseBuilder) => void {
  // The mock server answers the example and never checks it: a pattern it fails would only fail at verification.
  if (!new RegExp(`^(?:${pattern.source})$`, pattern.flags).test(example)) {
    throw new Error(`textBody: the example ${JSON.stringify(example)} does not match the whole of ${String(pattern)}.`);
  }
  return (response) => {
    response
      .headers(TEXT_RESPONSE_HEADERS)
      .body('text/plain', Buffer.from(example, 'utf8'))
      .matchingRules({ body: { path: '$', rules: [regex(pattern.source, example)] } });
  };
}

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
  allOf(
    example,
    { 'pact:matcher:type': 'type' },
    { 'pact:matcher:type': 'regex', regex: PERCENT_CASES_PATTERN.source },
  );
