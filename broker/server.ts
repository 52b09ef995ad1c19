/**
 * The real Pact Broker (the Ruby gem `pact_broker`, served by puma from broker/config.ru) on 127.0.0.1.
 * One module for `npm run broker:start` and for the throwaway brokers of the e2e tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { BROKER_VARIABLES, readSetting } from '../scripts/lib/broker-config';
import type { Env } from '../scripts/lib/env';
import { ConfigError } from '../scripts/lib/errors';
import { PROJECT_ROOT } from '../scripts/lib/project';

export const BROKER_DIR = path.join(PROJECT_ROOT, 'broker');
export const BROKER_GEMFILE = path.join(BROKER_DIR, 'Gemfile');
/** Where `bundle install` puts the gems: git-ignored and owned by this clone, so no global gem or config changes. */
export const BROKER_BUNDLE_PATH = path.join(BROKER_DIR, 'vendor', 'bundle');
export const DEFAULT_BROKER_DATA_DIR = path.join(BROKER_DIR, 'data');
export const DEFAULT_BROKER_PORT = 9292;
export const HEARTBEAT_PATH = '/diagnostic/status/heartbeat';
export const DATABASE_FILE_NAME = 'pact_broker.sqlite3';

/** The read-only user's variables: our name first, then the PACT_BROKER_ form (like BROKER_VARIABLES). */
export const READ_ONLY_USER_VARIABLES = {
  username: ['BROKER_READ_ONLY_USERNAME', 'PACT_BROKER_READ_ONLY_USERNAME'],
  password: ['BROKER_READ_ONLY_PASSWORD', 'PACT_BROKER_READ_ONLY_PASSWORD'],
} as const;

export const RUBY_ADVICE =
  'The Pact Broker runs on Ruby: install Ruby and a C compiler (Debian/Ubuntu: sudo apt-get install ruby-full build-essential libyaml-dev), or run the broker with Docker instead: docker compose up -d';

/** RubyGems 3.6.9 and its Bundler 2.6.9, installed into broker/vendor: Debian's 3.3.15 cannot use the precompiled nokogiri and sqlite3 (they need >= 3.3.22). */
const RUBYGEMS_VERSION = '3.6.9';
const RUBYGEMS_HOME = path.join(BROKER_DIR, 'vendor', 'rubygems');
const RUBYGEMS = path.join(RUBYGEMS_HOME, 'gems', `rubygems-update-${RUBYGEMS_VERSION}`);

export interface BrokerUser {
  username: string;
  password: string;
}

export interface BrokerUsers {
  readWrite: BrokerUser;
  /** Optional, as in the official image. */
  readOnly?: BrokerUser;
}

export type BrokerLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface BrokerServerOptions extends BrokerUsers {
  port: number;
  /** The SQLite file (its folder is created if missing), or a PostgreSQL URL (postgres://user:pass@host/db). */
  database: { file: string } | { url: string };
  /** Default `error`: at `info` the broker logs every request and its configuration, and at `warn` that SQLite has no advisory locks, on every start. */
  logLevel?: BrokerLogLevel;
  /** Further broker settings by their PACT_BROKER_* names, e.g. PACT_BROKER_SEED_EXAMPLE_DATA. */
  settings?: Readonly<Record<string, string>>;
  /** Gets everything the broker prints, passwords already redacted. */
  onOutput?: (text: string) => void;
  /** How long to wait for the heartbeat (default 60 s: a cold start on a busy 2-core machine takes several seconds). */
  startTimeoutMs?: number;
  /** The environment to take PATH and HOME from. */
  env?: Env;
  /** Aborting stops a broker that is still starting (e.g. Ctrl+C while waiting for the heartbeat). */
  signal?: AbortSignal;
}

export interface RunningBroker {
  url: string;
  /** The puma process, leader of its own process group. */
  pid: number;
  /** Resolves with puma's exit code (null when killed by a signal) once it has ended. */
  exited: Promise<number | null>;
  /** The last lines the broker printed, passwords redacted. */
  logTail(): string;
  /** Stops the broker and everything it started; resolves once the process group is gone. */
  stop(): Promise<void>;
}

function readUser(env: Env, variables: { username: readonly string[]; password: readonly string[] }, role: string, optional = false): BrokerUser | undefined {
  // The same rules as publish:pact: the first variable set, and two set to different values is an error.
  const username = readSetting(env, variables.username);
  const password = readSetting(env, variables.password);
  if (username && password) return { username: username.value, password: password.value };
  if (!username && !password && optional) return undefined;
  const missing = [!username && variables.username, !password && variables.password].filter((names) => names !== false);
  const names = missing.map((list) => `${list[0]} (or ${list[1]})`).join(' and ');
  throw new ConfigError(`The broker's ${role} user is not set: set ${names}, in the environment or in .env.`);
}

/**
 * The broker's users from the environment: the read/write user is the one publish:pact logs in as
 * (BROKER_USERNAME/BROKER_PASSWORD or the PACT_BROKER_ forms); a read-only user only when its variables are set.
 */
export function readBrokerUsers(env: Env): BrokerUsers {
  const readWrite = readUser(env, { username: BROKER_VARIABLES.username, password: BROKER_VARIABLES.password }, 'read/write') as BrokerUser;
  const readOnly = readUser(env, READ_ONLY_USER_VARIABLES, 'read-only', true);
  if (readOnly?.username === readWrite.username) {
    throw new ConfigError(
      `The read-only user (${READ_ONLY_USER_VARIABLES.username[0]}) is the same as the read/write user (${BROKER_VARIABLES.username[0]}): give the read-only user another name, or unset it.`,
    );
  }
  return { readWrite, readOnly };
}

/** Refuses early, in one line, when Ruby is missing (RubyGems comes with it; Bundler is installed into broker/vendor). */
export function checkRuby(env: Env): void {
  const found = spawnSync('ruby', ['-e', ''], { env, stdio: 'ignore' });
  if (found.error || found.status !== 0) throw new ConfigError(`ruby not found on PATH. ${RUBY_ADVICE}`);
}

/**
 * `ruby` arguments that run the vendored Bundler on the vendored RubyGems, pointed at broker/ through its
 * environment only: nothing is written to the user's Bundler config, and a frozen bundle installs exactly
 * what broker/Gemfile.lock says.
 */
export function bundle(args: readonly string[], env: Env): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [path.join(RUBYGEMS, 'bundler', 'exe', 'bundle'), ...args],
    env: {
      ...env,
      // In RUBYOPT, so that every Ruby process Bundler starts (puma's, a gem's build) loads the same RubyGems.
      RUBYOPT: `--disable-gems -I${path.join(RUBYGEMS, 'lib')} -I${path.join(RUBYGEMS, 'bundler', 'lib')} -rrubygems`,
      BUNDLE_GEMFILE: BROKER_GEMFILE,
      BUNDLE_PATH: BROKER_BUNDLE_PATH,
      BUNDLE_APP_CONFIG: path.join(BROKER_DIR, '.bundle'),
      BUNDLE_FROZEN: 'true',
      // Gems installed in parallel: 2 keeps a 2-core machine usable while native gems compile.
      BUNDLE_JOBS: env.BUNDLE_JOBS ?? '2',
    },
  };
}

/** Runs `command`; resolves with its output, rejects with its last lines when it fails. `onLine` gets each line as it comes. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, signal?: AbortSignal, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: BROKER_DIR, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let text = '';
    const take = (chunk: Buffer) => {
      const before = text.length;
      text += chunk.toString('utf8');
      text.slice(text.lastIndexOf('\n', before) + 1, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).forEach((line) => onLine?.(line));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`${path.basename(command)} ${args.at(-2) ?? ''} ${args.at(-1) ?? ''} failed (exit ${code}); its last lines:\n${lastLines(text, 25)}`))));
  });
}

/**
 * Installs the broker's gems into broker/vendor unless they are there already: RubyGems 3.6.9, then the locked
 * gems (downloaded 8 at a time by fetch-gems.rb, the precompiled ones for this platform), then `bundle install
 * --local`. `announce` gets a line per gem it compiles and one at least every 30 s, each with the time so far.
 */
export async function ensureBrokerBundle(env: Env, announce: (line: string) => void, signal?: AbortSignal): Promise<void> {
  checkRuby(env);
  const check = bundle(['check', '--dry-run'], env);
  if (existsSync(RUBYGEMS) && spawnSync('ruby', check.args, { env: check.env, cwd: BROKER_DIR, stdio: 'ignore' }).status === 0) return;
  const started = Date.now();
  let doing = `RubyGems ${RUBYGEMS_VERSION} and Bundler`;
  const say = (line: string) => announce(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`);
  say(`Installing the Pact Broker's gems into ${path.relative(process.cwd(), path.join(BROKER_DIR, 'vendor')) || 'vendor'} (first run only, 1-4 minutes)...`);
  const ticker = setInterval(() => say(`still installing (now: ${doing})...`), 30_000);
  try {
    if (!existsSync(RUBYGEMS)) {
      await run('gem', ['install', 'rubygems-update', '-v', RUBYGEMS_VERSION, '--install-dir', RUBYGEMS_HOME, '--no-document'], env, signal);
    }
    doing = 'the gem downloads';
    await run('ruby', [path.join(BROKER_DIR, 'fetch-gems.rb')], env, signal, say);
    const install = bundle(['install', '--local', '--prefer-local'], env);
    await run('ruby', install.args, install.env, signal, (line) => {
      if (!line.startsWith('Installing ')) return;
      doing = line.slice('Installing '.length);
      // The slow ones; the ticker names the others.
      if (/native extensions/.test(line)) say(line);
    });
  } finally {
    clearInterval(ticker);
  }
  say(`Installed the Pact Broker's gems.`);
}

/** Resolves when nothing listens on 127.0.0.1:`port`; a one-line ConfigError when something does. */
export async function checkPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(`Port ${port} on 127.0.0.1 is already in use (another broker?): stop that, or pick another port with --port <n>.`)
          : error,
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** A port that was free a moment ago (the OS picks it); good enough for a test's throwaway server. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * The broker's environment: ours without any PACT_BROKER_* or broker user variable (PACT_BROKER_BASE_URL,
 * for one, means the CLI's target to us but the broker's own public URL to the broker), then exactly the
 * settings it should run with. The passwords travel only here, never in argv.
 */
export function brokerServerEnvironment(options: BrokerServerOptions, base: Env): NodeJS.ProcessEnv {
  const { env } = bundle([], base);
  const ours: readonly string[] = [...Object.values(BROKER_VARIABLES).flat(), ...Object.values(READ_ONLY_USER_VARIABLES).flat()];
  for (const name of Object.keys(env)) {
    if (name.startsWith('PACT_BROKER_') || ours.includes(name)) delete env[name];
  }
  const origins = [`http://127.0.0.1:${options.port}`, `http://localhost:${options.port}`];
  return {
    ...env,
    RACK_ENV: 'production',
    PACT_DO_NOT_TRACK: 'true',
    // broker/config.ru: stop when we are gone (we hold puma's stdin).
    BROKER_STOP_WHEN_STDIN_CLOSES: 'true',
    PACT_BROKER_PORT: String(options.port),
    // The first is used for links; the rest are the other names this broker may be reached by.
    PACT_BROKER_BASE_URL: origins.join(' '),
    ...('url' in options.database
      ? { PACT_BROKER_DATABASE_URL: options.database.url }
      : { PACT_BROKER_DATABASE_ADAPTER: 'sqlite', PACT_BROKER_DATABASE_NAME: path.resolve(options.database.file) }),
    // The gem leaves basic auth off unless told (only the Docker image infers it from the credentials).
    PACT_BROKER_BASIC_AUTH_ENABLED: 'true',
    PACT_BROKER_BASIC_AUTH_USERNAME: options.readWrite.username,
    PACT_BROKER_BASIC_AUTH_PASSWORD: options.readWrite.password,
    ...(options.readOnly && {
      PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME: options.readOnly.username,
      PACT_BROKER_BASIC_AUTH_READ_ONLY_PASSWORD: options.readOnly.password,
    }),
    PACT_BROKER_ALLOW_PUBLIC_READ: 'false',
    // Health checks (and ours) may ask without credentials; nothing else can.
    PACT_BROKER_PUBLIC_HEARTBEAT: 'true',
    PACT_BROKER_LOG_STREAM: 'stdout',
    PACT_BROKER_LOG_LEVEL: options.logLevel ?? 'error',
    PACT_BROKER_LOG_CONFIGURATION_ON_STARTUP: 'false',
    PACT_BROKER_HIDE_PACTFLOW_MESSAGES: 'true',
    // An empty broker (no example pacticipants or environments): what you find in it is what you put there.
    PACT_BROKER_SEED_EXAMPLE_DATA: 'false',
    ...options.settings,
  };
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

function redactor(options: BrokerServerOptions): (text: string) => string {
  const database = 'url' in options.database ? decodeURIComponent(new URL(options.database.url).password) : '';
  const secrets = [options.readWrite.password, options.readOnly?.password ?? '', database].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** GET `url`; resolves with the status code, or undefined when nothing answered within a second. */
export function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    // agent: false so no keep-alive socket outlives the check (it would hold a test's process open).
    const request = http.get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no process of the group is left. */
async function stopGroup(pid: number, graceMs: number): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (groupAlive(pid)) await sleep(20);
}

/**
 * Starts the broker with puma on 127.0.0.1:`port` and resolves once its heartbeat answers 200. The gems
 * must be installed (ensureBrokerBundle). Puma runs detached, as the leader of its own process group, so
 * stop() can end it and anything it started in one go, and a Ctrl+C in the terminal reaches only us.
 */
export async function startBrokerServer(options: BrokerServerOptions): Promise<RunningBroker> {
  const base = options.env ?? process.env;
  checkRuby(base);
  await checkPortFree(options.port);
  if ('file' in options.database) mkdirSync(path.dirname(path.resolve(options.database.file)), { recursive: true });

  const redact = redactor(options);
  let log = '';
  // Whole lines only: a password split across two chunks would pass a chunk-by-chunk redaction.
  const pending = { stdout: '', stderr: '' };
  const keepLines = (stream: keyof typeof pending, chunk: Buffer | undefined) => {
    const buffered = pending[stream] + (chunk?.toString('utf8') ?? '');
    const end = chunk === undefined ? buffered.length : buffered.lastIndexOf('\n') + 1;
    pending[stream] = buffered.slice(end);
    if (end === 0) return;
    const text = redact(buffered.slice(0, end));
    // The last 16 KB is plenty for an error message.
    log = (log + text).slice(-16_384);
    options.onOutput?.(text);
  };

  // `bundle exec` loads puma into its own process (no extra child), so the pid is puma's.
  const puma = bundle(['exec', 'puma', '--bind', `tcp://127.0.0.1:${options.port}`, '--environment', 'production', path.join(BROKER_DIR, 'config.ru')], base);
  const child: ChildProcess = spawn('ruby', puma.args, {
    cwd: BROKER_DIR,
    env: brokerServerEnvironment(options, base),
    detached: true,
    // stdin is a pipe we never write to: it closes when we exit, however we exit (see config.ru).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => keepLines('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => keepLines('stderr', chunk));
  child.stdout?.on('end', () => keepLines('stdout', undefined));
  child.stderr?.on('end', () => keepLines('stderr', undefined));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  let hasExited = false;
  void exited.then(
    () => (hasExited = true),
    () => (hasExited = true),
  );
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error('Could not start the Pact Broker (bundle exec puma did not start).');
  }

  const url = `http://127.0.0.1:${options.port}`;
  const broker: RunningBroker = {
    url,
    pid,
    exited,
    logTail: () => lastLines(log, 30),
    stop: () => stopGroup(pid, 10_000),
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) {
      await broker.stop();
      throw new Error('The Pact Broker was stopped before it had started.');
    }
    if (hasExited) {
      await stopGroup(pid, 0);
      const code = await exited.catch(() => null);
      throw new Error(`The Pact Broker exited (code ${code}) before its heartbeat answered. Its last lines:\n${broker.logTail()}`);
    }
    if ((await httpStatus(`${url}${HEARTBEAT_PATH}`)) === 200) return broker;
    if (Date.now() > deadline) {
      await broker.stop();
      throw new Error(`The Pact Broker's heartbeat did not answer within ${Math.round(timeoutMs / 1000)} s. Its last lines:\n${broker.logTail()}`);
    }
    await sleep(150);
  }
}

/** The default database of `npm run broker:start`: broker/data/pact_broker.sqlite3 unless another folder is given. */
export function databaseFileIn(dataDir: string = DEFAULT_BROKER_DATA_DIR): string {
  return path.join(path.resolve(dataDir), DATABASE_FILE_NAME);
}
