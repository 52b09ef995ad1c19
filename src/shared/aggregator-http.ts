import http from 'node:http';
import https from 'node:https';
import { constants as bufferConstants } from 'node:buffer';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { COUNTRY_CODE_PATTERN, type AggregatorCountry, type CountryField } from './country';

/**
 * Why a call to the aggregator failed; lets callers branch without parsing messages.
 *
 * - `unexpected-status`: the aggregator answered with a status the operation does not handle (`status` holds it).
 *   A 3xx is one of them: redirects are never followed, so a moved or misconfigured aggregator cannot hand the
 *   caller another server's data.
 * - `invalid-response`: an answer arrived but cannot be used: not valid HTTP, a body that does not decode as its
 *   Content-Encoding says, a body cut off, not JSON, or not the shape and values the operation needs.
 * - `too-large`: the body grew past `maxResponseBytes` (counted after decompression); reading stopped there.
 * - `timeout`: the whole answer, body included, did not arrive within `timeoutMs`.
 * - `unreachable`: no answer started: the connection could not be made (refused, unknown host, no route)
 *   or was closed before a response began.
 */
export type AggregatorErrorKind = 'unexpected-status' | 'invalid-response' | 'too-large' | 'timeout' | 'unreachable';

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
  /** Deadline for one whole request: connecting, the response headers and the complete body. */
  timeoutMs?: number;
  /** Refuse a response body larger than this many bytes (after decompression); reading stops at the limit. */
  maxResponseBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
/** Node's timers fire after 1 ms for any longer delay (with a warning), so a larger deadline would be a lie. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
/** Far above any country list the aggregator can send, far below what would strain the process. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** The body is decoded into one string: V8 cannot hold a longer one. */
export const MAX_RESPONSE_BYTES = bufferConstants.MAX_STRING_LENGTH;

export interface TextAnswer {
  status: number;
  /** The body of a 2xx answer; undefined for any other status. */
  body: string | undefined;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** How much of a value an error message shows, escapes included: enough to recognise it, never a flood. */
export const QUOTED_MAX_CHARS = 60;

/**
 * A string as an error message quotes it: JSON-escaped (a control character cannot break a log line) and cut
 * after QUOTED_MAX_CHARS with its full length, so a 5 MB value from an answer cannot make a 5 MB message.
 */
export function quoted(text: string): string {
  let shown = '';
  // By code point and whole escapes, so a cut never splits a surrogate pair or an escape sequence.
  for (const char of text) {
    const escaped = JSON.stringify(char).slice(1, -1);
    if (shown.length + escaped.length > QUOTED_MAX_CHARS) return `"${shown}"… (${text.length} characters)`;
    shown += escaped;
  }
  return `"${shown}"`;
}

/**
 * Any value as an error message shows it, bounded: a string quoted, a number or literal as written, an object
 * or array by its kind only (JSON.stringify of a deeply nested one overflows the stack, of a large one floods).
 */
export function described(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (value === undefined) return 'nothing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function wholeNumberOption(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    // Described, not interpolated: a Symbol cannot be, and a string "100" would read as the number 100.
    throw new InvalidInputError(name, `must be an integer from 1 to ${max}, got ${described(value)}`);
  }
  return value;
}

/** The options object itself: null would fail reading its fields, and a number or array would be silently ignored. */
function checkedOptions(options: unknown): AggregatorClientOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidInputError('options', `must be an object such as { timeoutMs: 5000 }, got ${described(options)}`);
  }
  return options;
}

/** The base URL as axios should use it: origin and path prefix, no trailing slash. */
function checkedBaseUrl(baseUrl: unknown): string {
  // A URL object or anything else with a toString would reach axios through a conversion the types never promised.
  if (typeof baseUrl !== 'string') {
    throw new InvalidInputError('baseUrl', 'must be a string, an absolute http(s) URL such as http://localhost:8080');
  }
  // No message below repeats any part of the value: a URL, even a malformed one, may carry a secret
  // (a token, a password pasted in the wrong place).
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidInputError('baseUrl', 'must be an absolute http(s) URL such as http://localhost:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Not even the scheme: "Hunter2:x@y" parses as the scheme "hunter2:".
    throw new InvalidInputError('baseUrl', 'must start with http:// or https://, such as http://localhost:8080');
  }
  if (url.username !== '' || url.password !== '') {
    // Not echoed: it holds a secret. Credentials in a URL end up in logs and error messages.
    throw new InvalidInputError('baseUrl', 'must not contain credentials (user:password@)');
  }
  // `search` and `hash` are empty for a bare "?" or "#": look at the serialised URL, where any left is a delimiter.
  if (/[?#]/.test(url.href)) {
    // Not echoed: a query string is where tokens travel.
    throw new InvalidInputError(
      'baseUrl',
      'must not have a query string or fragment: every request appends its own path',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The transport the clients share: one axios instance, JSON or text answers, every failure mapped to AggregatorError. */
export class AggregatorHttp {
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(baseUrl: string, options: AggregatorClientOptions = {}) {
    const baseURL = checkedBaseUrl(baseUrl);
    const { timeoutMs, maxResponseBytes } = checkedOptions(options);
    this.timeoutMs = wholeNumberOption('timeoutMs', timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    this.maxResponseBytes = wholeNumberOption(
      'maxResponseBytes',
      maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      MAX_RESPONSE_BYTES,
    );
    this.http = axios.create({
      baseURL,
      // Our paths always join the base URL; a path that looks absolute ("//host") must never replace it.
      allowAbsoluteUrls: false,
      // axios' own timeout restarts with every chunk, so a trickling server could hold a request forever:
      // the deadline is an AbortSignal per request instead (see getJson).
      timeout: 0,
      maxRedirects: 0,
      // Counted after decompression (a small gzip body cannot expand past it); axios destroys the stream at the limit.
      maxContentLength: this.maxResponseBytes,
      // Keep-alive sockets of our own: Node's shared global agent would hand this client a socket that another
      // client opened to a server now gone, if a new server took the same port (as Pact mock servers do).
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      // We read the body as text and judge every status ourselves, so no axios error type escapes.
      responseType: 'text',
      validateStatus: () => true,
    });
  }

  /** GET `path`; any status but a redirect is returned, a 2xx body that is not JSON is an error. */
  async getJson(operation: string, path: string): Promise<JsonAnswer> {
    const { status, text } = await this.get(operation, path, 'application/json');
    if (status < 200 || status >= 300) return { status, body: undefined };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      throw new AggregatorError(
        operation,
        'invalid-response',
        'the aggregator answered with a body that is not JSON',
        status,
      );
    }
  }

  /** GET `path` for a plain-text answer (such as `/ping`); any status but a redirect is returned. */
  async getText(operation: string, path: string): Promise<TextAnswer> {
    const { status, text } = await this.get(operation, path, 'text/plain');
    return status < 200 || status >= 300 ? { status, body: undefined } : { status, body: text };
  }

  /** The one request path: the deadline, the size cap, no redirects, every failure an AggregatorError. */
  private async get(operation: string, path: string, accept: string): Promise<{ status: number; text: string }> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    // Whether any of the body arrived: on Node 22+ a reset mid-body reaches axios as a bare ECONNRESET,
    // with no response attached, so this is what tells a broken answer from no answer.
    let bodyBegan = false;
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.get<unknown>(path, {
        signal: deadline.signal,
        headers: { Accept: accept },
        onDownloadProgress: () => {
          bodyBegan = true;
        },
      });
    } catch (error) {
      const limits = {
        deadlinePassed: deadline.signal.aborted,
        bodyBegan,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
      };
      const failure = classifyTransportError(error, limits);
      throw new AggregatorError(operation, failure.kind, failure.detail);
    } finally {
      clearTimeout(timer);
    }
    const { status, data: text } = response;
    if (status >= 300 && status < 400) {
      throw redirectNotFollowed(operation, status, response.headers.location);
    }
    if (status >= 200 && status < 300 && typeof text !== 'string') {
      throw new AggregatorError(operation, 'invalid-response', 'the aggregator answered without a body', status);
    }
    return { status, text: typeof text === 'string' ? text : '' };
  }
}

/** Codes of a connection that could not be made. */
const NO_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
/** Codes of a connection the other side closed. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE']);

export interface TransportFailure {
  kind: AggregatorErrorKind;
  detail: string;
}

export interface RequestLimits {
  /** Whether our own deadline aborted the request. */
  deadlinePassed: boolean;
  /** Whether part of the body had arrived when it failed. */
  bodyBegan?: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * What an axios (or Node) error means for the caller. The kind follows the error's code; only the size limit
 * is recognised by axios' message as well, since axios gives it no code of its own.
 */
export function classifyTransportError(
  error: unknown,
  { deadlinePassed, bodyBegan = false, timeoutMs, maxResponseBytes }: RequestLimits,
): TransportFailure {
  const code = axios.isAxiosError(error) || isNodeError(error) ? error.code : undefined;
  // axios attaches the response to some errors raised while the body was being read, not to all.
  const answerBegan = bodyBegan || (axios.isAxiosError(error) && error.response !== undefined);
  const message = error instanceof Error ? error.message : String(error);
  // Our deadline aborts the request through its signal: axios reports that as a cancellation.
  if ((code === 'ERR_CANCELED' && deadlinePassed) || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return { kind: 'timeout', detail: `no complete answer from the aggregator within ${timeoutMs} ms` };
  }
  // axios has no code of its own for the limit, only ERR_BAD_RESPONSE and this message.
  if (code === 'ERR_BAD_RESPONSE' && message.startsWith('maxContentLength size of')) {
    return {
      kind: 'too-large',
      detail: `the aggregator's answer is larger than ${maxResponseBytes} bytes; stopped reading it`,
    };
  }
  if (code !== undefined && code.startsWith('Z_')) {
    return {
      kind: 'invalid-response',
      detail: `the aggregator's body does not decode as its Content-Encoding header says (${code})`,
    };
  }
  if (code !== undefined && code.startsWith('HPE_')) {
    return { kind: 'invalid-response', detail: `the aggregator's answer is not valid HTTP (${code})` };
  }
  if (code === 'ERR_BAD_RESPONSE' || (answerBegan && code !== undefined && DROPPED_CODES.has(code))) {
    // axios' "stream has been aborted", or a reset: the connection closed while the body was arriving.
    return { kind: 'invalid-response', detail: 'the connection closed before the whole body arrived' };
  }
  if (code !== undefined && NO_CONNECTION_CODES.has(code)) {
    return { kind: 'unreachable', detail: `could not reach the aggregator (${code})` };
  }
  if (code !== undefined && DROPPED_CODES.has(code)) {
    return { kind: 'unreachable', detail: `the aggregator closed the connection before answering (${code})` };
  }
  return { kind: 'unreachable', detail: `no answer from the aggregator (${code ?? message})` };
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** The error for a status the operation's contract does not cover. */
export function unexpectedStatus(operation: string, status: number): AggregatorError {
  return new AggregatorError(operation, 'unexpected-status', `the aggregator answered HTTP ${status}`, status);
}

/** A redirect is a status no operation handles; where it pointed helps whoever fixes the base URL. */
function redirectNotFollowed(operation: string, status: number, location: unknown): AggregatorError {
  const target = typeof location === 'string' && location !== '' ? ` to ${quoted(withoutSecrets(location))}` : '';
  return new AggregatorError(
    operation,
    'unexpected-status',
    `the aggregator answered HTTP ${status}, a redirect${target}; redirects are not followed`,
    status,
  );
}

/** A Location without credentials, query or fragment (they may carry tokens), or nothing if it is not a URL path. */
function withoutSecrets(location: string): string {
  try {
    const url = new URL(location, 'http://relative.invalid');
    return url.origin === 'http://relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`;
  } catch {
    return '(unreadable)';
  }
}

const isSafeInteger = (value: unknown): value is number => Number.isSafeInteger(value);

const FIELD_IS_VALID: { [K in CountryField]: (value: unknown) => value is AggregatorCountry[K] } = {
  code: (value): value is string => typeof value === 'string' && COUNTRY_CODE_PATTERN.test(value),
  name: (value): value is string => typeof value === 'string',
  // A population of 0 is the provider's known regression (it zeroes every population); no consumer can use it.
  population: (value): value is number => isSafeInteger(value) && value > 0,
  latestTotalCases: (value): value is number => isSafeInteger(value) && value >= 0,
  // A day-over-day difference: a downward revision of the cumulative count makes it negative, and that is data.
  diffFromPrevDay: isSafeInteger,
  percentCases: (value): value is string => typeof value === 'string',
};

const FIELD_EXPECTATION: Record<CountryField, string> = {
  code: 'a three-letter upper-case code',
  name: 'a string',
  population: 'a positive safe integer',
  latestTotalCases: 'a safe integer, 0 or more',
  diffFromPrevDay: 'a safe integer',
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
        `country field "${field}" should be ${FIELD_EXPECTATION[field]}, got ${described(fieldValue)}`,
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
