import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { COUNTRY_CODE_PATTERN, type AggregatorCountry, type CountryField } from './country';

/** Why a call to the aggregator failed; lets callers branch without parsing messages. */
export type AggregatorErrorKind = 'unexpected-status' | 'invalid-response' | 'timeout' | 'unreachable';

/** Anything the aggregator answered (or failed to answer) that the calling operation cannot use. */
export class AggregatorError extends Error {
  override readonly name = 'AggregatorError';

  constructor(
    readonly operation: string,
    readonly kind: AggregatorErrorKind,
    detail: string,
    readonly status?: number,
  ) {
    super(`${operation} failed: ${detail}`);
  }
}

/** A caller's argument that would make a request pointless; raised before anything is sent. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';

  constructor(
    readonly argument: string,
    detail: string,
  ) {
    super(`${argument} ${detail}`);
  }
}

export interface AggregatorClientOptions {
  /** Give up on one request after this many milliseconds. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** The transport both clients share: one axios instance, JSON only, every failure mapped to AggregatorError. */
export class AggregatorHttp {
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: AggregatorClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new InvalidInputError('baseUrl', `must be an absolute http(s) URL such as http://localhost:8080, got "${baseUrl}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidInputError('baseUrl', `must use http or https, got "${url.protocol}"`);
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new InvalidInputError('timeoutMs', `must be a positive integer, got ${this.timeoutMs}`);
    }
    this.http = axios.create({
      baseURL: baseUrl,
      timeout: this.timeoutMs,
      // Keep-alive sockets of our own: Node's shared global agent would hand this client a socket that another
      // client opened to a server now gone, if a new server took the same port (as Pact mock servers do).
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      headers: { Accept: 'application/json' },
      // We read the body as text and judge every status ourselves, so no axios error type escapes.
      responseType: 'text',
      validateStatus: () => true,
    });
  }

  /** GET `path`; any status is returned, a body that is not JSON is an error. */
  async getJson(operation: string, path: string): Promise<JsonAnswer> {
    let status: number;
    let text: unknown;
    try {
      const response = await this.http.get<unknown>(path);
      status = response.status;
      text = response.data;
    } catch (error) {
      throw this.transportError(operation, error);
    }
    if (status < 200 || status >= 300) {
      return { status, body: undefined };
    }
    if (typeof text !== 'string') {
      throw new AggregatorError(operation, 'invalid-response', 'the aggregator answered without a body', status);
    }
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      throw new AggregatorError(operation, 'invalid-response', 'the aggregator answered with a body that is not JSON', status);
    }
  }

  private transportError(operation: string, error: unknown): AggregatorError {
    const code = axios.isAxiosError(error) ? error.code : undefined;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return new AggregatorError(operation, 'timeout', `no answer from the aggregator within ${this.timeoutMs} ms`);
    }
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    return new AggregatorError(operation, 'unreachable', `could not reach the aggregator (${reason})`);
  }
}

/** The error for a status the operation's contract does not cover. */
export function unexpectedStatus(operation: string, status: number): AggregatorError {
  return new AggregatorError(operation, 'unexpected-status', `the aggregator answered HTTP ${status}`, status);
}

const FIELD_IS_VALID: { [K in CountryField]: (value: unknown) => value is AggregatorCountry[K] } = {
  code: (value): value is string => typeof value === 'string' && COUNTRY_CODE_PATTERN.test(value),
  name: (value): value is string => typeof value === 'string',
  population: Number.isInteger as (value: unknown) => value is number,
  latestTotalCases: Number.isInteger as (value: unknown) => value is number,
  diffFromPrevDay: Number.isInteger as (value: unknown) => value is number,
  percentCases: (value): value is string => typeof value === 'string',
};

const FIELD_EXPECTATION: Record<CountryField, string> = {
  code: 'a three-letter upper-case code',
  name: 'a string',
  population: 'an integer',
  latestTotalCases: 'an integer',
  diffFromPrevDay: 'an integer',
  percentCases: 'a string',
};

/** Reads the given fields of one country from a response body, ignoring every other field. */
export function pickCountry<K extends CountryField>(
  operation: string,
  value: unknown,
  fields: readonly K[],
): Pick<AggregatorCountry, K> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AggregatorError(operation, 'invalid-response', 'expected a country object in the response body');
  }
  const source = value as Record<string, unknown>;
  const picked: Partial<Pick<AggregatorCountry, K>> = {};
  for (const field of fields) {
    const fieldValue = source[field];
    if (!FIELD_IS_VALID[field](fieldValue)) {
      throw new AggregatorError(
        operation,
        'invalid-response',
        `country field "${field}" should be ${FIELD_EXPECTATION[field]}, got ${JSON.stringify(fieldValue) ?? 'nothing'}`,
      );
    }
    picked[field] = fieldValue;
  }
  return picked as Pick<AggregatorCountry, K>;
}

/** Reads a JSON array of countries, keeping only the given fields of each. */
export function pickCountries<K extends CountryField>(
  operation: string,
  body: unknown,
  fields: readonly K[],
): Pick<AggregatorCountry, K>[] {
  if (!Array.isArray(body)) {
    throw new AggregatorError(operation, 'invalid-response', 'expected a JSON array of countries in the response body');
  }
  return body.map((item: unknown) => pickCountry(operation, item, fields));
}
