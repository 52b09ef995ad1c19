import { existsSync, statSync } from 'node:fs';
import { variableName, type Env } from './env';
import { ConfigError } from './errors';

/* How the pipeline scripts reach the Pact Broker: the variables they read, checked before anything is sent. */

/** Each setting and the variables that may hold it, the name our scenario uses first, then the standard one. */
export const BROKER_VARIABLES = {
  url: ['PACT_BROKER_URL', 'PACT_BROKER_BASE_URL'],
  username: ['BROKER_USERNAME', 'PACT_BROKER_USERNAME'],
  password: ['BROKER_PASSWORD', 'PACT_BROKER_PASSWORD'],
  token: ['PACT_BROKER_TOKEN'],
  attempts: ['PACT_BROKER_HTTP_RETRIES'],
  timeout: ['PACT_BROKER_TIMEOUT_SECONDS'],
} as const;

export type BrokerAuth =
  | { kind: 'basic'; username: string; password: string; usernameVariable: string; passwordVariable: string }
  | { kind: 'token'; token: string; tokenVariable: string };

export interface BrokerConfig {
  /** Without credentials or a trailing slash: safe to print. */
  baseUrl: string;
  /** Absent only for a dry run, which sends nothing. */
  auth?: BrokerAuth;
  /** Attempts per request (the CLI's `--retries`). The CLI's default of 8 takes ~64 s to give up on a dead broker. */
  attempts: number;
  /** How long one script may wait for the broker in all; the CLI itself waits forever on a silent broker. */
  timeoutSeconds: number;
  /**
   * Variables the CLI reads that may come from `.env` as well as the environment (a CA bundle, the choice
   * about usage reporting): the CLI's environment is built from the process environment, so they are carried.
   */
  cliVariables?: { SSL_CERT_FILE?: string; PACT_DO_NOT_TRACK?: string };
}

export const DEFAULT_BROKER_ATTEMPTS = 3;
/** 6 attempts back off 0.5 + 1 + 2 + 4 + 8 s: a dead broker still fails well inside 30 s. */
export const MAX_BROKER_ATTEMPTS = 6;
export const DEFAULT_BROKER_TIMEOUT_SECONDS = 25;
export const MAX_BROKER_TIMEOUT_SECONDS = 120;

interface Setting {
  /** The variable's name, with its origin when that was the .env file: never its value. */
  variable: string;
  value: string;
}

/** The first variable of `names` that is set (empty counts as unset); two set to different values is an error. */
export function readSetting(env: Env, names: readonly string[]): Setting | undefined {
  const set = names.filter((name) => (env[name] ?? '') !== '').map((name) => ({ variable: variableName(env, name), value: env[name] ?? '' }));
  const [first, ...others] = set;
  const differing = others.find((other) => other.value !== first?.value);
  if (first && differing) {
    throw new ConfigError(`${first.variable} and ${differing.variable} are both set, to different values: keep only one of them.`);
  }
  return first;
}

const either = (names: readonly string[]) => names.join(' (or ') + ')'.repeat(names.length - 1);

/**
 * Reads and checks the broker settings; every problem is a ConfigError that names the variable to fix and
 * never shows its value (a password pasted into the wrong variable must not print). A dry run needs no
 * credentials, but checks them when they are set.
 */
/** SSL_CERT_FILE, checked now: a CA bundle that is not there would otherwise surface as a TLS failure. */
function readCaBundle(env: Env): string | undefined {
  const file = env.SSL_CERT_FILE;
  if (!file) return undefined;
  if (!existsSync(file)) throw new ConfigError(`${variableName(env, 'SSL_CERT_FILE')} names a file that does not exist: point it at your broker's CA certificate (PEM), or unset it.`);
  if (!statSync(file).isFile()) throw new ConfigError(`${variableName(env, 'SSL_CERT_FILE')} names a folder or device, not a file: point it at your broker's CA certificate (PEM), or unset it.`);
  return file;
}

export function readBrokerConfig(env: Env, options: { dryRun?: boolean } = {}): BrokerConfig {
  // The pact CLI reads this from its environment and would then accept any certificate.
  if ((env.SSL_SKIP_VERIFICATION ?? '') !== '') {
    throw new ConfigError(
      `${variableName(env, 'SSL_SKIP_VERIFICATION')} is set: the pipeline never skips TLS verification. Unset it; for a broker with a private CA, set SSL_CERT_FILE to that CA's certificate.`,
    );
  }
  const anyCredential = [...BROKER_VARIABLES.username, ...BROKER_VARIABLES.password, ...BROKER_VARIABLES.token].some((name) => (env[name] ?? '') !== '');
  return {
    baseUrl: readBrokerUrl(env),
    auth: options.dryRun && !anyCredential ? undefined : readBrokerAuth(env),
    attempts: readWholeNumber(env, BROKER_VARIABLES.attempts, DEFAULT_BROKER_ATTEMPTS, MAX_BROKER_ATTEMPTS, 'attempts'),
    timeoutSeconds: readWholeNumber(env, BROKER_VARIABLES.timeout, DEFAULT_BROKER_TIMEOUT_SECONDS, MAX_BROKER_TIMEOUT_SECONDS, 'seconds'),
    cliVariables: { SSL_CERT_FILE: readCaBundle(env), PACT_DO_NOT_TRACK: env.PACT_DO_NOT_TRACK || undefined },
  };
}

function readBrokerUrl(env: Env): string {
  const url = readSetting(env, BROKER_VARIABLES.url);
  if (!url) {
    throw new ConfigError(`${either(BROKER_VARIABLES.url)} is not set: set it to your Pact Broker's URL, e.g. https://pact-broker.example.com, in the environment or in .env.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.value);
  } catch {
    // Never echo the value: it may be a password pasted into the wrong variable.
    throw new ConfigError(`${url.variable} is not a valid URL: give the full address, e.g. https://pact-broker.example.com.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ConfigError(
      `${url.variable} contains credentials (user:password@): the pact CLI would print them in its error messages. Remove them from the URL and set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} instead.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${url.variable} must be an http:// or https:// URL.`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError(`${url.variable} must be the broker's base URL, without a query (?…) or fragment (#…).`);
  }
  return parsed.href.replace(/\/+$/, '');
}

function readBrokerAuth(env: Env): BrokerAuth {
  const username = readSetting(env, BROKER_VARIABLES.username);
  const password = readSetting(env, BROKER_VARIABLES.password);
  const token = readSetting(env, BROKER_VARIABLES.token);
  if (token && (username || password)) {
    const basic = (username ?? password) as Setting;
    throw new ConfigError(`${token.variable} and ${basic.variable} are both set: use a bearer token or a username and password, not both.`);
  }
  if (token) return { kind: 'token', token: token.value, tokenVariable: token.variable };
  if (username && password) {
    return { kind: 'basic', username: username.value, password: password.value, usernameVariable: username.variable, passwordVariable: password.variable };
  }
  if (username) throw new ConfigError(`${either(BROKER_VARIABLES.password)} is not set: the broker needs the password of ${username.variable}.`);
  if (password) throw new ConfigError(`${either(BROKER_VARIABLES.username)} is not set: the broker needs the user that ${password.variable} belongs to.`);
  throw new ConfigError(
    `No broker credentials: set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} (or ${BROKER_VARIABLES.token[0]}), in the environment or in .env.`,
  );
}

function readWholeNumber(env: Env, names: readonly string[], fallback: number, max: number, unit: string): number {
  const setting = readSetting(env, names);
  if (!setting) return fallback;
  const value = Number(setting.value);
  if (!/^\d+$/.test(setting.value) || value < 1 || value > max) {
    throw new ConfigError(`${setting.variable} must be a whole number of ${unit} from 1 to ${max}.`);
  }
  return value;
}
