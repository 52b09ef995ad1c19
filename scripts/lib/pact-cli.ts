import { execFile } from 'node:child_process';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { BROKER_VARIABLES, type BrokerConfig } from './broker-config';
import { brokerRequest, explainBrokerAnswer, type BrokerAnswer, type StepName } from './broker-http';
import { parseJson, type Env } from './script';
import { screened, WITHHELD } from './secrets';

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

/** How a step runs the pact CLI: runPactCli, or a recorder in tests. */
export type CliRunner = (args: string[], config: BrokerConfig, deadline: number) => Promise<CliRun>;

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
 * The cause of a failed CLI run. Even with `-o json` the CLI 18.1 reports a failure only in its text, which is not an interface:
 * only the broker's status and reasons are read from it; otherwise one short request of our own to the broker finds the cause.
 */
export async function explainCliRun(
  run: CliRun,
  config: BrokerConfig,
  step: StepName,
  deadline: number,
): Promise<string> {
  const describe = (answer: BrokerAnswer) => explainBrokerAnswer(answer, config, step, deadline);
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
      ? explainBrokerAnswer(probe, config, step, 0)
      : describe({ timedOut: true, path: '/' });
  return 'status' in probe
    ? `the pact CLI failed (exit ${run.code}) though the broker answers (${probe.status} ${probe.statusText}): run it by hand to see why.`
    : describe(probe);
}
