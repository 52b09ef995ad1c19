import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { BROKER_VARIABLES, type BrokerConfig } from './broker-config';
import type { Env } from './env';
import { ConfigError } from './errors';

/**
 * The pact CLI's Rust binary, from the platform package @pact-foundation/pact-cli installs. We start it
 * directly (not through the npm shim, which would outlive a kill and leave the binary running).
 */
export function pactCliBinary(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const packageJson = require.resolve(`@pact-foundation/pact-cli-${platform}-${process.arch}/package.json`);
  return path.join(path.dirname(packageJson), 'standalone', process.platform === 'win32' ? 'pact.exe' : 'pact');
}

/**
 * `base` with the CLI's anonymous usage reporting off, unless the user chose (PACT_DO_NOT_TRACK set to
 * anything keeps their choice; `false` opts in).
 */
export function withoutTelemetry(base: Env): NodeJS.ProcessEnv {
  return { ...base, PACT_DO_NOT_TRACK: base.PACT_DO_NOT_TRACK ?? 'true' };
}

/**
 * The CLI's environment: ours without any broker setting, plus the standard variables it reads.
 * Secrets travel only here, never in argv (which `ps` shows to every user of the machine).
 */
export function cliEnvironment(config: BrokerConfig, base: Env = process.env): NodeJS.ProcessEnv {
  const fromConfig = Object.entries(config.cliVariables ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const env = withoutTelemetry({ ...base, ...Object.fromEntries(fromConfig) });
  for (const name of [...Object.values(BROKER_VARIABLES).flat(), 'SSL_SKIP_VERIFICATION']) delete env[name];
  env.PACT_BROKER_HTTP_RETRIES = String(config.attempts);
  if (config.auth?.kind === 'basic') {
    env.PACT_BROKER_USERNAME = config.auth.username;
    env.PACT_BROKER_PASSWORD = config.auth.password;
  } else if (config.auth?.kind === 'token') {
    env.PACT_BROKER_TOKEN = config.auth.token;
  }
  return env;
}

/**
 * The forms in which a credential of `config` could only appear in text if it had leaked: the encoded Basic
 * value, `user:password`, and a token or password that is at least 8 characters and not a plain word.
 * A password such as `pact` cannot be told apart from the word in ordinary text, so it is not looked for:
 * masking every "pact" would both mangle the output and, by contrast with our own lines, reveal it.
 */
export function distinctiveSecrets(config: BrokerConfig): string[] {
  const { auth } = config;
  if (!auth) return [];
  const candidates =
    auth.kind === 'basic' ? [Buffer.from(`${auth.username}:${auth.password}`).toString('base64'), `${auth.username}:${auth.password}`, auth.password] : [auth.token];
  return candidates.filter((secret) => secret.length >= 8 && !/^[A-Za-z]+$/.test(secret)).flatMap((secret) => [secret, encodeURIComponent(secret)]);
}

/**
 * Values bound for the CLI's command line and the broker (version, branch, build URL, tags, environment,
 * instance): a refusal if one holds a credential, say a password pasted into GIT_BRANCH or a --tag. The
 * message names the variables, never the value.
 */
export function refuseCredentialsIn(values: { name: string; value: string | undefined }[], config: BrokerConfig): void {
  const secrets = distinctiveSecrets(config);
  const { auth } = config;
  if (!auth || secrets.length === 0) return;
  const secretVariable = auth.kind === 'basic' ? auth.passwordVariable : auth.tokenVariable;
  for (const { name, value } of values) {
    if (value !== undefined && secrets.some((secret) => value.includes(secret))) {
      throw new ConfigError(`${name} holds the value of ${secretVariable}: it would go on the pact CLI's command line and into the broker. Give ${name} the name it should have.`);
    }
  }
}

/**
 * A line of the CLI's or the broker's text, fit to print: undefined when it holds a distinctive credential
 * (then the whole line is withheld, never partly masked). We never print the CLI's raw output, only lines
 * we recognise, each through here.
 */
export function screened(line: string, config: BrokerConfig): string | undefined {
  return distinctiveSecrets(config).some((secret) => line.includes(secret)) ? undefined : line;
}

export interface CliRun {
  /** The exit code; null when it was killed. */
  code: number | null;
  /** stdout as printed by the CLI: for parsing only, never printed as is. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface CliRunOptions {
  /** Told the child's pid once it is started (tests look at its command line). */
  onSpawn?: (pid: number) => void;
  binary?: string;
}

/** Runs `pact <args>` with the broker's credentials in its environment; kills it at the deadline (epoch ms). */
export function runPactCli(args: string[], config: BrokerConfig, deadline: number, options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary ?? pactCliBinary(), args, { env: cliEnvironment(config), stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // The CLI waits forever on a broker that accepts the connection but never answers.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, Math.max(0, deadline - Date.now()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The CLI's lines without ANSI colours, decoration or blank lines. */
export function cliLines(text: string): string[] {
  return text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('📨'));
}

/** The CLI's error lines (❌), without any broker response body, screened: what we show under our cause. */
export function cliErrorLines(run: CliRun, config: BrokerConfig): string[] {
  // The ❌ lines, and the broker's reason the CLI prints under "Pact publication failed:" (a 409).
  return [...new Set(cliLines(run.stdout).filter((line) => line.startsWith('❌') || /^contracts: /.test(line)))]
    .map((line) => line.replace(/\. Response: .*?(\. URL: |$)/, '$1'))
    .map((line) => screened(line, config) ?? '❌ (a line withheld: it contained a broker credential)');
}

const TLS_FAILURES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS/;

/**
 * The cause the CLI does not print: when it could not reach an https broker, whether the broker's certificate
 * fails verification (the CLI says only "error sending request"). Verification is never turned off.
 */
export async function tlsProblem(config: BrokerConfig, env: Env = process.env, timeoutMs = 3000): Promise<string | undefined> {
  const url = new URL(config.baseUrl);
  if (url.protocol !== 'https:') return undefined;
  const caFile = config.cliVariables?.SSL_CERT_FILE ?? env.SSL_CERT_FILE;
  const extraCa = caFile ? [readFileSync(caFile, 'utf8')] : [];
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 443),
      // SNI carries host names only (RFC 6066); Node warns on an IP address, and verifies it without SNI.
      ...(net.isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0 ? { servername: url.hostname } : {}),
      ca: [...tls.rootCertificates, ...extraCa],
      rejectUnauthorized: true,
    });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('secureConnect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code && TLS_FAILURES.test(error.code) ? error.code : undefined));
  });
}

/**
 * The cause behind a step that ran out of time on a broker that did answer: rate limiting with a long
 * Retry-After, which the CLI obeys silently until our deadline stops it. One request, with the step's own
 * credentials; the Retry-After value when the broker answers 429, else undefined.
 */
export function rateLimitProblem(config: BrokerConfig, timeoutMs = 500): Promise<string | undefined> {
  // One probe per step, however many consumers ran out of time; it runs after the deadline, so it is short.
  let probe = rateLimitProbes.get(config);
  if (!probe) {
    probe = probeRateLimit(config, timeoutMs);
    rateLimitProbes.set(config, probe);
  }
  return probe;
}

const rateLimitProbes = new WeakMap<BrokerConfig, Promise<string | undefined>>();

async function probeRateLimit(config: BrokerConfig, timeoutMs: number): Promise<string | undefined> {
  const { auth } = config;
  const authorization = auth?.kind === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : auth?.kind === 'token' ? `Bearer ${auth.token}` : undefined;
  try {
    const response = await fetch(`${config.baseUrl}/`, {
      headers: { Accept: 'application/hal+json', ...(authorization ? { Authorization: authorization } : {}) },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.status !== 429) return undefined;
    // A number of seconds, or an HTTP date (shown as given, once checked to be one).
    const retryAfter = response.headers.get('retry-after') ?? '';
    if (/^\d{1,9}$/.test(retryAfter)) return `${retryAfter} s`;
    return /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(retryAfter) ? retryAfter : 'none given';
  } catch {
    return undefined;
  }
}

export type BrokerStepName = 'publish' | 'can-i-deploy' | 'record-deployment';

/** What we found out ourselves when the CLI's output does not say. */
export interface FailureProbe {
  certificateProblem?: string;
  /** The broker's Retry-After when it answered 429 to a step that then ran out of time. */
  rateLimitedFor?: string;
}

/** One line that says what went wrong with the broker and what to do, from what the CLI printed. */
export function describeBrokerFailure(run: CliRun, config: BrokerConfig, probe: FailureProbe = {}, step?: BrokerStepName): string {
  const output = cliLines(`${run.stdout}\n${run.stderr}`).join('\n');
  const { certificateProblem } = probe;
  if (run.timedOut && probe.rateLimitedFor) {
    return `the broker is rate limiting (429 Too Many Requests, Retry-After: ${probe.rateLimitedFor}), and the pact CLI waits as told, past PACT_BROKER_TIMEOUT_SECONDS (${config.timeoutSeconds} s): run the step again later, or ask the broker's operators about the limit.`;
  }
  if (run.timedOut) {
    return `the broker at ${config.baseUrl} did not answer within ${config.timeoutSeconds} s (PACT_BROKER_TIMEOUT_SECONDS bounds the whole step): check that it is up and that PACT_BROKER_URL points at it.`;
  }
  if (run.code === 2) {
    // A usage error from the CLI's argument parser: its first line says which argument.
    const reason = cliLines(run.stderr).find((line) => line.startsWith('error:')) ?? cliLines(run.stderr)[0] ?? 'no reason given';
    return `the pact CLI refused its arguments (exit 2): ${screened(reason, config) ?? 'its reason is withheld: it contained a broker credential'}`;
  }
  if (certificateProblem) {
    return `the broker's TLS certificate at ${config.baseUrl} failed verification (${certificateProblem}): if a private CA signed it, set SSL_CERT_FILE to that CA's certificate (PEM). Verification is never skipped.`;
  }
  const auth = config.auth;
  if (/\b401 Unauthorized\b/.test(output)) {
    const check = auth?.kind === 'basic' ? `${auth.usernameVariable} and ${auth.passwordVariable}` : auth?.kind === 'token' ? auth.tokenVariable : 'the credentials';
    // Only the writing steps can be refused a read-only user; can-i-deploy only reads.
    const readOnly = { publish: ' (a read-only user cannot publish)', 'record-deployment': ' (a read-only user cannot record deployments)', 'can-i-deploy': '' }[step ?? 'publish'];
    return `the broker refused the credentials (401 Unauthorized): check ${check}${readOnly}.`;
  }
  if (/\b403 Forbidden\b/.test(output)) return 'the broker refused access (403 Forbidden): the user lacks permission for this.';
  if (/Cannot change the content of the pact|\b409 Conflict\b/.test(output)) {
    return 'the broker already holds a different pact for this consumer version (409 Conflict): a published version cannot change. Commit the change (a new commit is a new version), run the tests and publish again.';
  }
  if (/\b413 Payload Too Large\b/.test(output)) {
    return 'the broker (or a proxy in front of it) refused the request as too large (413 Payload Too Large): keep the pact smaller, or ask its operators to raise the body-size limit.';
  }
  if (/\b429 Too Many Requests\b/.test(output)) {
    return `the broker kept answering 429 Too Many Requests (rate limited) to each of ${config.attempts} attempt${config.attempts === 1 ? '' : 's'}: wait a while and run the step again, or ask its operators about the limit.`;
  }
  if (/Failed to access pact broker|error sending request/.test(output)) {
    return `could not reach the broker at ${config.baseUrl} (${config.attempts} attempt${config.attempts === 1 ? '' : 's'}): check that it is up and that PACT_BROKER_URL points at it.`;
  }
  const environment = /Environment (\S+) does not exist/.exec(output);
  if (environment) {
    return `the broker has no environment "${environment[1]}": check the name, or create it once with: pact broker create-environment --name ${environment[1]}`;
  }
  const validation = /failed validation - (\[.*\])/.exec(output);
  if (validation?.[1]) {
    let messages: string[] = [];
    try {
      messages = (JSON.parse(validation[1]) as unknown[]).map(String);
    } catch {
      messages = ['(its reasons could not be read)'];
    }
    return `the broker refused the request: ${screened(messages.join('; '), config) ?? '(its reasons are withheld: they contained a broker credential)'}.`;
  }
  const status = /failed: (\d{3})\s([A-Za-z ]*[A-Za-z])/.exec(output);
  if (status?.[1] === '400') {
    if (auth?.kind === 'token') {
      return `the broker answered 400 Bad Request to the bearer token: a broker with basic auth answers so to any other scheme. Set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} instead of ${auth.tokenVariable}.`;
    }
    return 'the broker answered 400 Bad Request: it could not take the request as sent; check PACT_BROKER_URL and the broker version.';
  }
  if (status?.[1] === '404') {
    const where = /pact broker path '([^']*)'/.exec(output)?.[1] || '/';
    return `the broker answered 404 Not Found for ${where}: PACT_BROKER_URL (${config.baseUrl}) is probably not the broker's root; check its path prefix (the root's page is the broker's index).`;
  }
  if (status?.[1]?.startsWith('5')) {
    return `the broker answered ${status[1]} ${status[2]} to each of ${config.attempts} attempts: it is failing; try again later or ask its operators.`;
  }
  if (status) return `the broker answered ${status[1]} ${status[2]}.`;
  if (run.code === 101) return 'the pact CLI crashed (exit 101) on the broker\'s answer: is PACT_BROKER_URL a Pact Broker?';
  const firstError = cliErrorLines(run, config)[0] ?? `exit code ${run.code}`;
  return `the pact CLI failed: ${firstError.replace(/^❌\s*/, '')}`;
}

/** The failure line, with the TLS cause looked up when the CLI could not reach an https broker. */
export async function explainBrokerFailure(run: CliRun, config: BrokerConfig, step?: BrokerStepName): Promise<string> {
  const transport = !run.timedOut && /Failed to access pact broker|error sending request/.test(run.stdout);
  const probe: FailureProbe = {
    certificateProblem: transport ? await tlsProblem(config) : undefined,
    rateLimitedFor: run.timedOut ? await rateLimitProblem(config) : undefined,
  };
  return describeBrokerFailure(run, config, probe, step);
}
