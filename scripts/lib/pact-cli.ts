import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { BrokerConfig } from './broker-config';
import { brokerRequest, explainBrokerAnswer, type BrokerAnswer, type StepName } from './broker-http';
import { childEnvironment, runChild, type ChildRun } from './child-process';
import { parseJson } from './script';
import { screened, WITHHELD } from './secrets';

/** The pact CLI's Rust binary, started directly (the npm shim would outlive a kill and leave it running). */
export function pactCliBinary(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const packageJson = require.resolve(`@pact-foundation/pact-cli-${platform}-${process.arch}/package.json`);
  return path.join(path.dirname(packageJson), 'standalone', process.platform === 'win32' ? 'pact.exe' : 'pact');
}

/** The CLI's environment: the allowlist of child-process.ts from the step's (.env included), and the broker settings as the CLI's standard variables. Secrets travel only here, never in argv. */
export function cliEnvironment(config: BrokerConfig): NodeJS.ProcessEnv {
  const auth = config.auth;
  return childEnvironment(config.env, {
    PACT_BROKER_HTTP_RETRIES: String(config.attempts),
    PACT_BROKER_USERNAME: auth?.kind === 'basic' ? auth.username : undefined,
    PACT_BROKER_PASSWORD: auth?.kind === 'basic' ? auth.password : undefined,
    PACT_BROKER_TOKEN: auth?.kind === 'token' ? auth.token : undefined,
  });
}

export type CliRun = ChildRun;

/** How a step runs the pact CLI: runPactCli, or a recorder in tests. */
export type CliRunner = (args: string[], config: BrokerConfig, deadline: number) => Promise<CliRun>;

const MAX_CLI_OUTPUT = 64 * 1024 * 1024;

/** Runs `pact <args>` with the broker's credentials in its environment, killed at the deadline (epoch ms) or on a signal: it waits forever on a silent broker. */
export function runPactCli(
  args: string[],
  config: BrokerConfig,
  deadline: number,
  options: { onSpawn?: (pid: number) => void } = {},
): Promise<CliRun> {
  return runChild(pactCliBinary(), args, {
    env: cliEnvironment(config),
    deadline,
    maxOutput: MAX_CLI_OUTPUT,
    onSpawn: options.onSpawn,
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
  const named = /pact broker path '([^']*)'/.exec(text)?.[1] || '/';
  const path = /^\/(?!\/)/.test(named) ? named : '/';
  // The CLI follows redirects, to other hosts too (without the credentials there), so the status it reports may be
  // another host's: one look of our own at the same path, which follows nothing, tells a redirect for what it is.
  const look = await brokerRequest({ ...config, attempts: 1 }, 'GET', path, Math.max(deadline, Date.now() + 500));
  if ('status' in look && look.status >= 300 && look.status < 400) return describe(look);
  const answer = (status: number, statusText: string, errors?: unknown): BrokerAnswer => ({
    status,
    statusText,
    body: { errors },
    path,
  });
  // Two refusals come without their status: a 400's reasons as a JSON list, a 409's under "contracts:" (the CLI 18.1's wording).
  const invalid = /failed validation - (\[.*\])/.exec(text)?.[1];
  if (invalid) return describe(answer(400, 'Bad Request', parseJson(invalid) ?? [invalid]));
  const conflict = /Pact publication failed:\s+contracts: (.*)/.exec(text)?.[1];
  if (conflict !== undefined) return describe(answer(409, 'Conflict', [conflict.trim()]));
  const status = /failed: (\d{3}) ([^.]*)\./.exec(text);
  if (status && !run.timedOut) return describe(answer(Number(status[1]), status[2] ?? ''));
  if (run.code === 101)
    return "the pact CLI crashed (exit 101) on the broker's answer: is PACT_BROKER_URL a Pact Broker?";
  // Our look (after a timeout, within half a second) tells a TLS, proxy, rate-limit or down broker apart.
  if (run.timedOut)
    return 'status' in look && look.status === 429
      ? explainBrokerAnswer(look, config, step, 0)
      : describe({ timedOut: true, path: '/' });
  return 'status' in look
    ? `the pact CLI failed (exit ${run.code}) though the broker answers (${look.status} ${look.statusText}): run it by hand to see why.`
    : describe(look);
}
