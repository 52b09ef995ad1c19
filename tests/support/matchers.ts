import { MatchersV3 } from '@pact-foundation/pact';
import { COUNTRY_CODE_PATTERN, PERCENT_CASES_PATTERN } from '../../src/shared/country';

const { regex } = MatchersV3;

/** Request headers every client sends. */
export const ACCEPTS_JSON = { Accept: 'application/json' };

/** Spring may add a charset (`application/json;charset=UTF-8`); both are JSON to our clients. */
export const JSON_RESPONSE_HEADERS = {
  'Content-Type': regex('^application/json(;\\s*charset=[\\w-]+)?$', 'application/json'),
};

export const countryCode = (example: string) => regex(COUNTRY_CODE_PATTERN.source, example);

/** A ratio the provider writes as a string with exactly 15 decimals. */
export const percentCases = (example: string) => regex(PERCENT_CASES_PATTERN.source, example);
