import { spawn } from 'node:child_process';
import path from 'node:path';
import { BROKER_VARIABLES, type BrokerConfig } from './broker-config';
import type { Env } from './env';

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

/** Every form in which a secret of `config` could appear in text: plain, URL-encoded, and as the Basic header. */
function secretForms(config: BrokerConfig): string[] {
  const { auth } = config;
  const secrets = auth.kind === 'basic' ? [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')] : [auth.token];
  return [...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]))].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/** Replaces every secret of `config` in `text` with `***`. */
export function redact(text: string, config: BrokerConfig): string {
  return secretForms(config).reduce((result, secret) => result.split(secret).join('***'), text);
}

/**
 * The CLI's environment: ours without any broker setting, plus the standard variables it reads.
 * Secrets travel only here, never in argv (which `ps` shows to every user of the machine).
 */
export function cliEnvironment(config: BrokerConfig, base: Env = process.env): NodeJS.ProcessEnv {
  const env = withoutTelemetry(base);
  for (const name of Object.values(BROKER_VARIABLES).flat()) delete env[name];
  env.PACT_BROKER_HTTP_RETRIES = String(config.attempts);
  if (config.auth.kind === 'basic') {
    env.PACT_BROKER_USERNAME = config.auth.username;
    env.PACT_BROKER_PASSWORD = config.auth.password;
  } else {
    env.PACT_BROKER_TOKEN = config.auth.token;
  }
  return env;
}

export interface CliRun {
  /** The exit code; null when it was killed. */
  code: number | null;
  /** stdout and stderr as printed, secrets redacted. */
  output: string;
  timedOut: boolean;
}

/** Runs `pact <args>` with the broker's credentials in its environment; kills it at the deadline. */
export function runPactCli(args: string[], config: BrokerConfig, deadline: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(pactCliBinary(), args, { env: cliEnvironment(config), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
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
      resolve({ code, output: redact(output, config), timedOut });
    });
  });
}

/** The CLI's own lines worth showing (its notices), without decoration or blank lines. */
export function cliLines(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('📨'));
}

/** One line that says what went wrong with the broker and what to do, from what the CLI printed. */
export function describeBrokerFailure(run: CliRun, config: BrokerConfig): string {
  const { output } = run;
  if (run.timedOut) {
    return `the broker at ${config.baseUrl} did not answer within ${config.timeoutSeconds} s: check that it is up and that PACT_BROKER_URL points at it.`;
  }
  if (/\b401 Unauthorized\b/.test(output)) {
    const check = config.auth.kind === 'basic' ? `${config.auth.usernameVariable} and ${config.auth.passwordVariable}` : config.auth.tokenVariable;
    return `the broker refused the credentials (401 Unauthorized): check ${check} (a read-only user cannot publish).`;
  }
  if (/\b403 Forbidden\b/.test(output)) return 'the broker refused access (403 Forbidden): the user lacks permission for this.';
  if (/Cannot change the content of the pact|\b409 Conflict\b/.test(output)) {
    return 'the broker already holds a different pact for this consumer version (409 Conflict): a published version cannot change. Commit the change (a new commit is a new version), run the tests and publish again.';
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
    const messages = (JSON.parse(validation[1]) as unknown[]).map(String);
    return `the broker refused the request: ${messages.join('; ')}.`;
  }
  const status = /failed: (\d{3})\s([A-Za-z ]*[A-Za-z])/.exec(output);
  if (status?.[1]?.startsWith('5')) {
    return `the broker answered ${status[1]} ${status[2]} to each of ${config.attempts} attempts: it is failing; try again later or ask its operators.`;
  }
  if (status) return `the broker answered ${status[1]} ${status[2]}.`;
  const firstError = cliLines(output).find((line) => line.startsWith('❌')) ?? `exit code ${run.code}`;
  return `the pact CLI failed: ${firstError.replace(/^❌\s*/, '')}`;
}
