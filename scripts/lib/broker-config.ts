import { existsSync, statSync } from 'node:fs';
import { ConfigError, variableName, wholeNumberFlag, type Env } from './script';
import { checkSecretLength } from './secrets';

/** Each setting and the variables that may hold it: our scenario's name first, then the pact CLI's standard one. */
export const BROKER_VARIABLES = {
  url: ['PACT_BROKER_URL', 'PACT_BROKER_BASE_URL'],
  username: ['BROKER_USERNAME', 'PACT_BROKER_USERNAME'],
  password: ['BROKER_PASSWORD', 'PACT_BROKER_PASSWORD'],
  token: ['PACT_BROKER_TOKEN'],
  attempts: ['PACT_BROKER_HTTP_RETRIES'],
  timeout: ['PACT_BROKER_TIMEOUT_SECONDS'],
} as const;

type BrokerAuth =
  | { kind: 'basic'; username: string; password: string; usernameVariable: string; passwordVariable: string }
  | { kind: 'token'; token: string; tokenVariable: string };

export interface BrokerConfig {
  /** Without credentials or a trailing slash: safe to print. */
  baseUrl: string;
  /** Absent only for a dry run, which sends nothing. */
  auth?: BrokerAuth;
  /** Attempts per request (the CLI's default of 8 takes ~64 s to give up on a dead broker). */
  attempts: number;
  /** Bounds the whole step; the CLI itself waits forever on a silent broker. */
  timeoutSeconds: number;
  /** The environment the step runs in (.env included): the CLI's and our own requests read proxies and SSL_CERT_FILE from it. */
  env: Env;
}

/** The first of `names` that is set (empty counts as unset); two set differently is an error. */
export function readSetting(env: Env, names: readonly string[]): { variable: string; value: string } | undefined {
  const set = names
    .filter((name) => (env[name] ?? '') !== '')
    .map((name) => ({ variable: variableName(env, name), value: env[name] ?? '' }));
  const [first, ...others] = set;
  const differing = others.find((other) => other.value !== first?.value);
  if (first && differing)
    throw new ConfigError(
      `${first.variable} and ${differing.variable} are both set, to different values: keep only one of them.`,
    );
  return first;
}

const either = (names: readonly string[]) => names.join(' (or ') + ')'.repeat(names.length - 1);

/** The broker settings, checked; every refusal names the variable, never its value. A dry run needs no credentials. */
export function readBrokerConfig(env: Env, options: { dryRun?: boolean } = {}): BrokerConfig {
  if ((env.SSL_SKIP_VERIFICATION ?? '') !== '') {
    throw new ConfigError(
      `${variableName(env, 'SSL_SKIP_VERIFICATION')} is set: the pipeline never skips TLS verification. Unset it; for a broker with a private CA, set SSL_CERT_FILE to that CA's certificate.`,
    );
  }
  const caFile = env.SSL_CERT_FILE;
  if (caFile && !(existsSync(caFile) && statSync(caFile).isFile())) {
    throw new ConfigError(
      `${variableName(env, 'SSL_CERT_FILE')} names a file that does not exist: point it at your broker's CA certificate (PEM), or unset it.`,
    );
  }
  const baseUrl = readBrokerUrl(env);
  const [username, password, token] = [
    BROKER_VARIABLES.username,
    BROKER_VARIABLES.password,
    BROKER_VARIABLES.token,
  ].map((names) => readSetting(env, names));
  const auth =
    options.dryRun && !(username || password || token) ? undefined : readBrokerAuth(username, password, token);
  const wholeNumber = (names: readonly string[], fallback: number, max: number, unit: string) => {
    const setting = readSetting(env, names);
    return wholeNumberFlag(setting?.value, setting?.variable ?? '', fallback, 1, max, unit);
  };
  const attempts = wholeNumber(BROKER_VARIABLES.attempts, 3, 6, 'attempts');
  return { baseUrl, auth, attempts, timeoutSeconds: wholeNumber(BROKER_VARIABLES.timeout, 25, 120, 'seconds'), env };
}

function readBrokerUrl(env: Env): string {
  const url = readSetting(env, BROKER_VARIABLES.url);
  if (!url)
    throw new ConfigError(
      `${either(BROKER_VARIABLES.url)} is not set: set it to your Pact Broker's URL, e.g. https://pact-broker.example.com, in the environment or in .env.`,
    );
  const parsed = URL.parse(url.value);
  if (!parsed)
    throw new ConfigError(
      `${url.variable} is not a valid URL: give the full address, e.g. https://pact-broker.example.com.`,
    );
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ConfigError(
      `${url.variable} contains credentials (user:password@): the pact CLI would print them in its error messages. Remove them from the URL and set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} instead.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ConfigError(`${url.variable} must be an http:// or https:// URL.`);
  if (parsed.search !== '' || parsed.hash !== '')
    throw new ConfigError(`${url.variable} must be the broker's base URL, without a query (?…) or fragment (#…).`);
  return parsed.href.replace(/\/+$/, '');
}

type Setting = ReturnType<typeof readSetting>;

function readBrokerAuth(username: Setting, password: Setting, token: Setting): BrokerAuth {
  if (token && (username || password)) {
    throw new ConfigError(
      `${token.variable} and ${(username ?? password)?.variable} are both set: use a bearer token or a username and password, not both.`,
    );
  }
  if (token) {
    checkSecretLength(token.value, token.variable);
    return { kind: 'token', token: token.value, tokenVariable: token.variable };
  }
  if (username && password) {
    // Basic auth joins them as user:password, so the broker would split such a user name at its first ":".
    if (username.value.includes(':'))
      throw new ConfigError(
        `${username.variable} contains ":", which HTTP basic auth cannot carry in a user name: use the broker user's exact name, or a token.`,
      );
    checkSecretLength(password.value, password.variable);
    return {
      kind: 'basic',
      username: username.value,
      password: password.value,
      usernameVariable: username.variable,
      passwordVariable: password.variable,
    };
  }
  if (username)
    throw new ConfigError(
      `${either(BROKER_VARIABLES.password)} is not set: the broker needs the password of ${username.variable}.`,
    );
  if (password)
    throw new ConfigError(
      `${either(BROKER_VARIABLES.username)} is not set: the broker needs the user that ${password.variable} belongs to.`,
    );
  throw new ConfigError(
    `No broker credentials: set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} (or ${BROKER_VARIABLES.token[0]}), in the environment or in .env.`,
  );
}
