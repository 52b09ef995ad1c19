import { spawn } from 'node:child_process';
import { ConfigError, variableName, type Env } from './script';

// Every process a step starts: an environment we chose, its own process group, one deadline, and a signal to the
// step stops it (and removes the step's temporary files) before the step exits.

/**
 * What a child may get of the step's environment (.env included): where programs and home are, locale, proxies and CA
 * settings, Node's compile cache. Nothing else passes (a Pact filter variable, a CI secret, NODE_OPTIONS…); what a child
 * needs beyond these, its caller names.
 */
const INHERITED_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'NODE_COMPILE_CACHE',
  'NODE_DISABLE_COMPILE_CACHE',
] as const;

/** The child's environment: INHERITED_VARIABLES from `env`, telemetry off unless the user chose, then `extra` (undefined: left out). */
export function childEnvironment(env: Env, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const chosen: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_VARIABLES) if (env[name] !== undefined) chosen[name] = env[name];
  chosen.PACT_DO_NOT_TRACK = env.PACT_DO_NOT_TRACK ?? 'true';
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) chosen[name] = value;
  return chosen;
}

/** The variables with which the pact verifier picks interactions: a run with one set checks only part of the contract. */
const PACT_FILTER_VARIABLES = ['PACT_DESCRIPTION', 'PACT_PROVIDER_STATE', 'PACT_PROVIDER_NO_STATE'] as const;

/** For a step whose results are published: a Pact filter variable set (even empty) in the environment or .env is refused. */
export function refusePactFilters(env: Env, step: string): void {
  const set = PACT_FILTER_VARIABLES.find((name) => env[name] !== undefined);
  if (set)
    throw new ConfigError(
      `${variableName(env, set)} is set: the pact verifier reads it as a filter, checks only the interactions it picks and publishes that as the result for the whole pact. ${step} publishes results, so unset it; to re-run one interaction, run the verifier by hand.`,
    );
}

// --- Signals -----------------------------------------------------------------------------------------------------

type Cleanup = () => void | Promise<void>;
const cleanups = new Set<Cleanup>();
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
let installed = false;
let stopping = false;

/** From now on SIGINT, SIGTERM and SIGHUP run the registered cleanups, then exit 128 + the signal's number (130, 143, 129). */
export function stopOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [signal, number] of Object.entries(SIGNALS)) process.on(signal, () => void interrupted(number));
}

/** Runs `cleanup` if the step is stopped by a signal (stopOnSignals, installed now if it was not); call the result when done. */
export function onInterrupt(cleanup: Cleanup): () => void {
  stopOnSignals();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

async function interrupted(number: number): Promise<void> {
  // A second signal while stopping changes nothing: the cleanups are already bounded.
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([...cleanups].map(async (cleanup) => cleanup()));
  process.exit(128 + number);
}

// --- Children ----------------------------------------------------------------------------------------------------

export interface ChildRun {
  /** null when it was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Stopped at the deadline. */
  timedOut: boolean;
  /** Stopped because it printed more than `maxOutput`. */
  overflowed?: true;
}

interface ChildOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Epoch ms: the child's whole process group is stopped then. */
  deadline: number;
  /** Bytes of stdout plus stderr kept; more stops the child. */
  maxOutput?: number;
  /** How long a stopped child gets to clean up after SIGTERM before SIGKILL; 0 kills at once. */
  graceMs?: number;
  /** Told the pid once it runs (tests read /proc with it). */
  onSpawn?: (pid: number) => void;
  /** Each chunk of output as it comes. */
  onOutput?: (text: string) => void;
}

/**
 * Runs `command` in a process group of its own, so that stopping it stops whatever it started. It is stopped at the
 * deadline, when it prints too much, or when the step gets a signal; the promise settles once it has ended. Rejects
 * only when it could not be started.
 */
export function runChild(command: string, args: string[], options: ChildOptions): Promise<ChildRun> {
  const { deadline, maxOutput = 64 * 1024 * 1024, graceMs = 0 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let overflowed = false;
    let ended = false;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const stop = () =>
      new Promise<void>((done) => {
        if (ended) return done();
        child.once('close', () => done());
        if (graceMs > 0) {
          signalGroup('SIGTERM');
          killer ??= setTimeout(() => signalGroup('SIGKILL'), graceMs);
        } else signalGroup('SIGKILL');
      });
    const release = onInterrupt(stop);
    const timer = setTimeout(
      () => {
        timedOut = true;
        void stop();
      },
      Math.max(1, deadline - Date.now()),
    );
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (stream === 'stdout') stdout += text;
      else stderr += text;
      options.onOutput?.(text);
      if (stdout.length + stderr.length > maxOutput && !overflowed) {
        overflowed = true;
        void stop();
      }
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.on('error', (error) => {
      ended = true;
      clearTimeout(timer);
      release();
      reject(error);
    });
    child.on('close', (code) => {
      ended = true;
      clearTimeout(timer);
      clearTimeout(killer);
      // Whatever the child left in its group (it may have been the only one to know) goes with it.
      signalGroup('SIGKILL');
      release();
      if (overflowed) resolve({ code: null, stdout: '', stderr: '', timedOut: false, overflowed: true });
      else resolve({ code, stdout, stderr, timedOut });
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
  });
}
