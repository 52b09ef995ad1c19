import { execFile } from 'node:child_process';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { BROKER_VARIABLES, type BrokerConfig } from './broker-config';
import { brokerRequest, parseJson, proxyFor, type BrokerAnswer } from './broker-http';
import { ConfigError, count, type Env } from './script';

/** The pact CLI's Rust binary, started directly (the npm shim would outlive a kill and leave it running). */
export function pactCliBinary(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const packageJson = require.resolve(`@pact-foundation/pact-cli-${platform}-${process.arch}/package.json`);
  return path.join(path.dirname(packageJson), 'standalone', process.platform === 'win32' ? 'pact.exe' : 'pact');
}

/** `base` with the CLI's usage reporting off unless the user chose (any PACT_DO_NOT_TRACK value is kept). */
export const withoutTelemetry = (base: Env): NodeJS.ProcessEnv => ({
  ...base,
  PACT_DO_NOT_TRACK: base.PACT_DO_NOT_TRACK ?? 'true',
});

/** The CLI's environment: the step's (.env included), broker settings replaced by the standard variables. Secrets travel only here, never in argv. */
export function cliEnvironment(config: BrokerConfig): NodeJS.ProcessEnv {
  const env = withoutTelemetry(config.env);
  for (const name of [...Object.values(BROKER_VARIABLES).flat(), 'SSL_SKIP_VERIFICATION']) delete env[name];
  env.PACT_BROKER_HTTP_RETRIES = String(config.attempts);
  if (config.auth?.kind === 'basic')
    Object.assign(env, { PACT_BROKER_USERNAME: config.auth.username, PACT_BROKER_PASSWORD: config.auth.password });
  if (config.auth?.kind === 'token') env.PACT_BROKER_TOKEN = config.auth.token;
  return env;
}

export interface CliRun {
  /** null when killed. */
  code: number | null;
  /** For parsing only; never printed as is. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Killed because it printed more than MAX_CLI_OUTPUT: nothing it said can be read. */
  overflowed?: true;
}

const MAX_CLI_OUTPUT = 64 * 1024 * 1024;

/** Runs `pact <args>` with the broker's credentials in its environment, killed at the deadline (epoch ms): it waits forever on a silent broker. */
export function runPactCli(
  args: string[],
  config: BrokerConfig,
  deadline: number,
  options: { onSpawn?: (pid: number) => void } = {},
): Promise<CliRun> {
  const settings = {
    env: cliEnvironment(config),
    timeout: Math.max(1, deadline - Date.now()),
    killSignal: 'SIGKILL',
    maxBuffer: MAX_CLI_OUTPUT,
  } as const;
  return new Promise((resolve, reject) => {
    const child = execFile(pactCliBinary(), args, settings, (error, stdout, stderr) => {
      const code = error ? error.code : 0;
      if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
        resolve({ code: null, stdout: '', stderr: '', timedOut: false, overflowed: true });
      else if (typeof code === 'string') reject(error ?? new Error(code));
      else resolve({ code: code ?? null, stdout, stderr, timedOut: error?.killed === true });
    });
    child.stdin?.end();
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
  });
}

/** The JSON document the CLI printed with `-o json` (after its 📨 progress line), if any. */
export function cliJson(run: CliRun): unknown {
  const start = run.stdout.indexOf('{');
  return start < 0 ? undefined : parseJson(run.stdout.slice(start));
}

/**
 * Where a credential could show only if it leaked: the Basic value, `user:password`, and a password or token of 8+
 * characters that is not a plain word (masking every "pact" would reveal more than it hides).
 */
export function distinctiveSecrets({ auth }: BrokerConfig): string[] {
  if (!auth) return [];
  const candidates =
    auth.kind === 'basic'
      ? [
          Buffer.from(`${auth.username}:${auth.password}`).toString('base64'),
          `${auth.username}:${auth.password}`,
          auth.password,
        ]
      : [auth.token];
  return candidates
    .filter((secret) => secret.length >= 8 && !/^[A-Za-z]+$/.test(secret))
    .flatMap((secret) => [secret, encodeURIComponent(secret)]);
}

/** A line fit to print, or undefined when it holds a credential (withheld whole, never partly masked). */
export const screened = (line: string, config: BrokerConfig) =>
  distinctiveSecrets(config).some((secret) => line.includes(secret)) ? undefined : line;
export const WITHHELD = '(withheld: it contained a broker credential)';

/** Refuses a value bound for the command line and the broker that holds a credential; names the variables, never the value. */
export function refuseCredentialsIn(values: { name: string; value: string | undefined }[], config: BrokerConfig): void {
  const variable = config.auth?.kind === 'basic' ? config.auth.passwordVariable : config.auth?.tokenVariable;
  for (const { name, value } of values) {
    if (value !== undefined && screened(value, config) === undefined) {
      throw new ConfigError(
        `${name} holds the value of ${variable}: it would go on the pact CLI's command line and into the broker. Give ${name} the name it should have.`,
      );
    }
  }
}

export type StepName = 'publish' | 'can-i-deploy' | 'record-deployment';

function brokerReasons(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors)) return errors.map(String);
  if (errors && typeof errors === 'object')
    return Object.entries(errors).flatMap(([field, messages]) =>
      (Array.isArray(messages) ? messages : [messages]).map((message) => `${field}: ${String(message)}`),
    );
  return [];
}

/** For a `pb:record-deployment` link missing, or can-i-deploy's 400. */
export const noEnvironment = (name: string) =>
  `the broker has no environment "${name}": check the name, or create it once with: pact broker create-environment --name ${name}`;

/** One line saying what went wrong with the broker (or the proxy before it) and what to do. */
export function describeFailure(answer: BrokerAnswer, config: BrokerConfig, step: StepName, deadline: number): string {
  const proxy = proxyFor(config.baseUrl, config.env);
  const through = proxy ? ` through the proxy in ${proxy.variable} (${proxy.address})` : '';
  if ('timedOut' in answer)
    return `the broker at ${config.baseUrl} did not answer within ${config.timeoutSeconds} s${through} (PACT_BROKER_TIMEOUT_SECONDS bounds the whole step): check that it is up and that PACT_BROKER_URL points at it.`;
  // A proxy's 407 is an answer to a plain request, and a transport error to CONNECT (an https broker).
  if ('status' in answer ? answer.status === 407 : answer.transport.endsWith(' 407')) {
    return proxy
      ? `the proxy in ${proxy.variable} (${proxy.address}) asked for credentials (407 Proxy Authentication Required): give them in ${proxy.variable} (http://user:password@host:port), or add the broker's host to NO_PROXY.`
      : 'something between here and the broker asked for proxy credentials (407 Proxy Authentication Required): set HTTP_PROXY/HTTPS_PROXY to that proxy, with its credentials.';
  }
  if ('transport' in answer) {
    const cause = answer.transport;
    if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS/.test(cause) && !/PROXY/.test(cause)) {
      return `the broker's TLS certificate at ${config.baseUrl} failed verification (${cause}): if a private CA signed it, set SSL_CERT_FILE to that CA's certificate (PEM). Verification is never skipped.`;
    }
    if (proxy && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH)$|PROXY/.test(cause)) {
      return `could not reach the broker at ${config.baseUrl}${through} (${cause}): the proxy is down or wrong; fix ${proxy.variable}, or add the broker's host to NO_PROXY if it needs no proxy.`;
    }
    return `could not reach the broker at ${config.baseUrl}${through} (${cause}, ${count(config.attempts, 'attempt')}): check that it is up and that PACT_BROKER_URL points at it.`;
  }
  const { status, statusText, body, path: where } = answer;
  const reasons = brokerReasons(body).map((reason) => screened(reason, config) ?? WITHHELD);
  const environment = /Environment with name '([^']+)' does not exist/.exec(reasons.join(' '))?.[1];
  const auth = config.auth;
  if (status >= 300 && status < 400) {
    const to = answer.location ? ` to ${new URL(answer.location, config.baseUrl).origin}` : '';
    return `the broker answered ${status} ${statusText}${to} for ${where}: redirects are not followed (credentials go only to PACT_BROKER_URL); set PACT_BROKER_URL to the broker's real address.`;
  }
  if (status === 401) {
    const check =
      auth?.kind === 'basic'
        ? `${auth.usernameVariable} and ${auth.passwordVariable}`
        : (auth?.tokenVariable ?? 'the credentials');
    const readOnly = {
      publish: ' (a read-only user cannot publish)',
      'record-deployment': ' (a read-only user cannot record deployments)',
      'can-i-deploy': '',
    }[step];
    return `the broker refused the credentials (401 Unauthorized): check ${check}${readOnly}.`;
  }
  if (status === 403) return 'the broker refused access (403 Forbidden): the user lacks permission for this.';
  if (status === 409)
    return `the broker already holds a different pact for this consumer version (409 Conflict): a published version cannot change. Commit the change (a new commit is a new version), run the tests and publish again.${reasons.length > 0 ? ` The broker: ${reasons.join(' ')}` : ''}`;
  if (status === 413)
    return 'the broker (or a proxy in front of it) refused the request as too large (413 Payload Too Large): keep the pact smaller, or ask its operators to raise the body-size limit.';
  if (status === 429) {
    const retryAfter = /^\d{1,9}$/.test(answer.retryAfter ?? '') ? `${answer.retryAfter} s` : undefined;
    if (retryAfter && Date.now() >= deadline - 1000)
      return `the broker is rate limiting (429 Too Many Requests, Retry-After: ${retryAfter}), and the step ran out of PACT_BROKER_TIMEOUT_SECONDS (${config.timeoutSeconds} s): run it again later, or ask the broker's operators about the limit.`;
    return `the broker kept answering 429 Too Many Requests (rate limited) to each of ${count(config.attempts, 'attempt')}: wait a while and run the step again, or ask its operators about the limit.`;
  }
  if (status === 400 && environment) return noEnvironment(environment);
  if (status === 400 && reasons.length === 0 && auth?.kind === 'token') {
    return `the broker answered 400 Bad Request to the bearer token: a broker with basic auth answers so to any other scheme. Set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} instead of ${auth.tokenVariable}.`;
  }
  if (status === 404)
    return `the broker answered 404 Not Found for ${where}: PACT_BROKER_URL (${config.baseUrl}) is probably not the broker's root; check its path prefix (the root's page is the broker's index).`;
  if (status >= 500)
    return `the broker answered ${status} ${statusText} to each of ${count(config.attempts, 'attempt')}: it is failing; try again later or ask its operators.`;
  return `the broker answered ${status} ${statusText}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}.`;
}

/**
 * The cause of a failed CLI run. Even with `-o json` the CLI 18.1 reports a failure only in its text, which is not an interface:
 * only the broker's status and reasons are read from it; otherwise one short request of our own to the broker finds the cause.
 */
export async function describeCliFailure(
  run: CliRun,
  config: BrokerConfig,
  step: StepName,
  deadline: number,
): Promise<string> {
  const describe = (answer: BrokerAnswer) => describeFailure(answer, config, step, deadline);
  if (run.overflowed)
    return `the pact CLI printed more than ${MAX_CLI_OUTPUT / 1024 / 1024} MiB, so it was stopped: run it by hand to see why.`;
  if (run.code === 2) {
    const reason =
      run.stderr
        .split('\n')
        .map((line) => line.trim())
        .find((line) => line.startsWith('error:')) ?? 'no reason given';
    return `the pact CLI refused its arguments (exit 2): ${screened(reason, config) ?? WITHHELD}`;
  }
  const text = stripVTControlCharacters(run.stdout);
  const path = /pact broker path '([^']*)'/.exec(text)?.[1] || '/';
  const answer = (status: number, statusText: string, errors?: unknown): BrokerAnswer => ({
    status,
    statusText,
    body: { errors },
    path,
  });
  // Two refusals come without their status: a 400's reasons as a JSON list, a 409's under "contracts:" (pact-broker-api.md, 4).
  const invalid = /failed validation - (\[.*\])/.exec(text)?.[1];
  if (invalid) return describe(answer(400, 'Bad Request', parseJson(invalid) ?? [invalid]));
  const conflict = /Pact publication failed:\s+contracts: (.*)/.exec(text)?.[1];
  if (conflict !== undefined) return describe(answer(409, 'Conflict', [conflict.trim()]));
  const status = /failed: (\d{3}) ([^.]*)\./.exec(text);
  if (status && !run.timedOut) return describe(answer(Number(status[1]), status[2] ?? ''));
  if (run.code === 101)
    return "the pact CLI crashed (exit 101) on the broker's answer: is PACT_BROKER_URL a Pact Broker?";
  // One short look of our own (after a timeout, within half a second) tells a TLS, proxy, rate-limit or down broker apart.
  const probe = await brokerRequest({ ...config, attempts: 1 }, 'GET', '/', Math.max(deadline, Date.now() + 500));
  if (run.timedOut)
    return 'status' in probe && probe.status === 429
      ? describeFailure(probe, config, step, 0)
      : describe({ timedOut: true, path: '/' });
  return 'status' in probe
    ? `the pact CLI failed (exit ${run.code}) though the broker answers (${probe.status} ${probe.statusText}): run it by hand to see why.`
    : describe(probe);
}
