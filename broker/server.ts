/**
 * The real Pact Broker (the Ruby gem `pact_broker`, served by puma from broker/config.ru) on 127.0.0.1.
 * One module for `npm run broker:start` and for the throwaway brokers of the e2e tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { BROKER_VARIABLES, readSetting } from '../scripts/lib/broker-config';
import { ConfigError, type Env } from '../scripts/lib/script';

export const DATABASE_FILE_NAME = 'pact_broker.sqlite3';
const BROKER_DIR = __dirname;
/** RubyGems 3.6.9 and its Bundler 2.6.9, installed into broker/vendor: Debian's 3.3.15 cannot use the precompiled nokogiri and sqlite3 (they need >= 3.3.22). */
const RUBYGEMS_VERSION = '3.6.9';
const RUBYGEMS_HOME = path.join(BROKER_DIR, 'vendor', 'rubygems');
const RUBYGEMS = path.join(RUBYGEMS_HOME, 'gems', `rubygems-update-${RUBYGEMS_VERSION}`);
/** The read-only user's variables: our name first, then the PACT_BROKER_ form (like BROKER_VARIABLES). */
const READ_ONLY_USER_VARIABLES = {
  username: ['BROKER_READ_ONLY_USERNAME', 'PACT_BROKER_READ_ONLY_USERNAME'],
  password: ['BROKER_READ_ONLY_PASSWORD', 'PACT_BROKER_READ_ONLY_PASSWORD'],
} as const;
/** A cold start on a busy 2-core machine takes several seconds; 90 s also covers one while the e2e tests load the CPU. */
const START_TIMEOUT_MS = 90_000;

export interface BrokerUser {
  username: string;
  password: string;
}

export interface BrokerServerOptions {
  port: number;
  readWrite: BrokerUser;
  /** Optional, as in the official image. */
  readOnly?: BrokerUser;
  /** The SQLite file (its folder is created if missing), or a PostgreSQL URL (postgres://user:pass@host/db). */
  database: { file: string } | { url: string };
  /** Gets everything the broker prints, passwords already redacted. */
  onOutput?: (text: string) => void;
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
  /** Stops the broker and everything it started; resolves once the process group is gone. */
  stop(): Promise<void>;
}

function readUser(
  env: Env,
  variables: { username: readonly string[]; password: readonly string[] },
  role: string,
  optional = false,
): BrokerUser | undefined {
  // The same rules as publish:pact: the first variable set, and two set to different values is an error.
  const username = readSetting(env, variables.username);
  const password = readSetting(env, variables.password);
  if (username && password) return { username: username.value, password: password.value };
  if (!username && !password && optional) return undefined;
  const missing = [!username && variables.username, !password && variables.password].filter((names) => names !== false);
  const names = missing.map((list) => `${list[0]} (or ${list[1]})`).join(' and ');
  throw new ConfigError(`The broker's ${role} user is not set: set ${names}, in the environment or in .env.`);
}

/** The project's .env.example, whose passwords are placeholders. */
export const ENV_EXAMPLE = path.join(BROKER_DIR, '..', '.env.example');

/** Every password value .env.example shows, set or commented out (`# BROKER_READ_ONLY_PASSWORD=…`). */
function examplePasswords(file: string = ENV_EXAMPLE): string[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/^#?\s*[A-Z][A-Z0-9_]*PASSWORD=(.*)$/gm)]
    .map((match) => (match[1] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2'))
    .filter((value) => value !== '');
}

/**
 * The broker's users from the environment: the read/write user is the one publish:pact logs in as
 * (BROKER_USERNAME/BROKER_PASSWORD or the PACT_BROKER_ forms); a read-only user only when its variables are set.
 * A password still .env.example's placeholder is refused: a .env copied as is would otherwise open the broker to
 * anyone who has read the example.
 */
export function readBrokerUsers(
  env: Env,
  placeholders: readonly string[] = examplePasswords(),
): Pick<BrokerServerOptions, 'readWrite' | 'readOnly'> {
  const readWrite = readUser(env, BROKER_VARIABLES, 'read/write') as BrokerUser;
  const readOnly = readUser(env, READ_ONLY_USER_VARIABLES, 'read-only', true);
  for (const [user, variables] of [
    [readWrite, BROKER_VARIABLES],
    [readOnly, READ_ONLY_USER_VARIABLES],
  ] as const) {
    if (user && placeholders.includes(user.password)) {
      const variable = readSetting(env, variables.password)?.variable ?? variables.password[0];
      throw new ConfigError(
        `${variable} is still the placeholder from .env.example: set a password of your own in .env (e.g. the output of openssl rand -base64 18), then start the broker again.`,
      );
    }
  }
  if (readOnly?.username === readWrite.username) {
    throw new ConfigError(
      `The read-only user (${READ_ONLY_USER_VARIABLES.username[0]}) is the same as the read/write user (${BROKER_VARIABLES.username[0]}): give the read-only user another name, or unset it.`,
    );
  }
  return { readWrite, readOnly };
}

/**
 * `ruby` arguments that run the vendored Bundler on the vendored RubyGems, pointed at broker/ through its
 * environment only: nothing is written to the user's Bundler config, and a frozen bundle installs exactly
 * what broker/Gemfile.lock says.
 */
function bundle(args: readonly string[], env: Env): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [path.join(RUBYGEMS, 'bundler', 'exe', 'bundle'), ...args],
    env: {
      ...env,
      // In RUBYOPT, so that every Ruby process Bundler starts (puma's, a gem's build) loads the same RubyGems.
      RUBYOPT: `--disable-gems -I${path.join(RUBYGEMS, 'lib')} -I${path.join(RUBYGEMS, 'bundler', 'lib')} -rrubygems`,
      BUNDLE_GEMFILE: path.join(BROKER_DIR, 'Gemfile'),
      // Git-ignored and owned by this clone, so no global gem or config changes.
      BUNDLE_PATH: path.join(BROKER_DIR, 'vendor', 'bundle'),
      BUNDLE_APP_CONFIG: path.join(BROKER_DIR, '.bundle'),
      BUNDLE_FROZEN: 'true',
      // Gems installed in parallel: 2 keeps a 2-core machine usable while native gems compile.
      BUNDLE_JOBS: env.BUNDLE_JOBS ?? '2',
    },
  };
}

/** Runs `command`; rejects with its last lines when it fails. `onLine` gets each line (stdout or stderr) as it comes. */
async function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
  onLine?: (line: string) => void,
): Promise<void> {
  const child = spawn(command, args, { env, cwd: BROKER_DIR, stdio: ['ignore', 'pipe', 'pipe'], signal });
  const lines: string[] = [];
  const take = (line: string) => {
    lines.push(line);
    onLine?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', take);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0)
    throw new Error(
      `${command} ${args.slice(-2).join(' ')} failed (exit ${code}); its last lines:\n${lines.slice(-25).join('\n')}`,
    );
}

/**
 * Installs the broker's gems into broker/vendor unless they are there already: RubyGems 3.6.9, then the locked
 * gems (downloaded 8 at a time by fetch-gems.rb, the precompiled ones for this platform), then `bundle install
 * --local`. `announce` gets a line per gem it compiles and one at least every 30 s, each with the time so far.
 * Refuses early, in one line, when Ruby is missing (RubyGems comes with it; Bundler is installed into broker/vendor).
 */
export async function ensureBrokerBundle(
  env: Env,
  announce: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (spawnSync('ruby', ['-e', ''], { env, stdio: 'ignore' }).status !== 0) {
    throw new ConfigError(
      'ruby not found on PATH. The Pact Broker runs on Ruby: install Ruby and a C compiler (Debian/Ubuntu: sudo apt-get install ruby-full build-essential libyaml-dev), or run the broker with Docker instead: docker compose up -d',
    );
  }
  const check = bundle(['check', '--dry-run'], env);
  if (
    existsSync(RUBYGEMS) &&
    spawnSync('ruby', check.args, { env: check.env, cwd: BROKER_DIR, stdio: 'ignore' }).status === 0
  )
    return;
  const started = Date.now();
  let doing = `RubyGems ${RUBYGEMS_VERSION} and Bundler`;
  const say = (line: string) => announce(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`);
  say(
    `Installing the Pact Broker's gems into ${path.relative(process.cwd(), path.join(BROKER_DIR, 'vendor')) || 'vendor'} (first run only, 1-4 minutes)...`,
  );
  const ticker = setInterval(() => say(`still installing (now: ${doing})...`), 30_000);
  try {
    if (!existsSync(RUBYGEMS)) {
      await run(
        'gem',
        ['install', 'rubygems-update', '-v', RUBYGEMS_VERSION, '--install-dir', RUBYGEMS_HOME, '--no-document'],
        env,
        signal,
      );
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
async function checkPortFree(port: number): Promise<void> {
  const probe = net.createServer().listen(port, '127.0.0.1');
  try {
    await once(probe, 'listening');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new ConfigError(
      `Port ${port} on 127.0.0.1 is already in use (another broker?): stop that, or pick another port with --port <n>.`,
    );
  }
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * The broker's environment: ours without any PACT_BROKER_* or broker user variable (PACT_BROKER_BASE_URL,
 * for one, means the CLI's target to us but the broker's own public URL to the broker), then exactly the
 * settings it should run with. The passwords travel only here, never in argv.
 */
function brokerServerEnvironment(options: BrokerServerOptions, base: Env): NodeJS.ProcessEnv {
  const { env } = bundle([], base);
  const ours: readonly string[] = [
    ...Object.values(BROKER_VARIABLES).flat(),
    ...Object.values(READ_ONLY_USER_VARIABLES).flat(),
  ];
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
    // At info the broker logs every request and its configuration, and at warn that SQLite has no advisory locks, on every start.
    PACT_BROKER_LOG_LEVEL: 'error',
    PACT_BROKER_LOG_CONFIGURATION_ON_STARTUP: 'false',
    PACT_BROKER_HIDE_PACTFLOW_MESSAGES: 'true',
    // An empty broker (no example pacticipants or environments): what you find in it is what you put there.
    PACT_BROKER_SEED_EXAMPLE_DATA: 'false',
    // Webhooks may call this machine only (a test's receiver, a local CI), over http too; never another host.
    PACT_BROKER_WEBHOOK_SCHEME_WHITELIST: 'https http',
    PACT_BROKER_WEBHOOK_HOST_WHITELIST: '127.0.0.1',
  };
}

function redactor(options: BrokerServerOptions): (text: string) => string {
  const database = 'url' in options.database ? decodeURIComponent(new URL(options.database.url).password) : '';
  const secrets = [options.readWrite.password, options.readOnly?.password ?? '', database]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** Whether the heartbeat answers 200 within a second (node:http, not fetch: fetch refuses ports such as 6000). */
function heartbeatAnswers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    // agent: false, so that no keep-alive socket outlives the check (it would hold a test's process open).
    const request = http.get(`${url}/diagnostic/status/heartbeat`, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** Sends `signal` (0: none) to the process group that `pid` leads; true while any process of it is left. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0 = 0): boolean {
  try {
    return process.kill(-pid, signal);
  } catch (error) {
    // EPERM: alive, but not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no process of the group is left. */
async function stopGroup(pid: number, graceMs: number): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (signalGroup(pid) && Date.now() < deadline) await sleep(50);
  signalGroup(pid, 'SIGKILL');
  while (signalGroup(pid)) await sleep(20);
}

/**
 * Starts the broker with puma on 127.0.0.1:`port` and resolves once its heartbeat answers 200. The gems
 * must be installed (ensureBrokerBundle). Puma runs detached, as the leader of its own process group, so
 * stop() can end it and anything it started in one go, and a Ctrl+C in the terminal reaches only us.
 */
export async function startBrokerServer(options: BrokerServerOptions): Promise<RunningBroker> {
  const base = options.env ?? process.env;
  await checkPortFree(options.port);
  if ('file' in options.database) mkdirSync(path.dirname(path.resolve(options.database.file)), { recursive: true });

  // `bundle exec` loads puma into its own process (no extra child), so the pid is puma's.
  const puma = bundle(
    [
      'exec',
      'puma',
      '--bind',
      `tcp://127.0.0.1:${options.port}`,
      '--environment',
      'production',
      path.join(BROKER_DIR, 'config.ru'),
    ],
    base,
  );
  // stdin stays a pipe we never write to: it closes when we exit, however we exit (see config.ru).
  const child = spawn('ruby', puma.args, {
    cwd: BROKER_DIR,
    env: brokerServerEnvironment(options, base),
    detached: true,
  });
  const exited = once(child, 'close').then(([code]) => code as number | null);
  const redact = redactor(options);
  const lastLines: string[] = [];
  // Line by line: a password split across two chunks would pass a chunk-by-chunk redaction.
  const take = (line: string) => {
    const text = redact(line);
    lastLines.push(text);
    if (lastLines.length > 30) lastLines.shift();
    options.onOutput?.(`${text}\n`);
  };
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', take);
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error('Could not start the Pact Broker (bundle exec puma did not start).');
  }

  const url = `http://127.0.0.1:${options.port}`;
  const broker: RunningBroker = { url, pid, exited, stop: () => stopGroup(pid, 10_000) };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (options.signal?.aborted) {
      await broker.stop();
      throw new Error('The Pact Broker was stopped before it had started.');
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stopGroup(pid, 0);
      throw new Error(
        `The Pact Broker exited (code ${await exited}) before its heartbeat answered. Its last lines:\n${lastLines.join('\n')}`,
      );
    }
    if (await heartbeatAnswers(url)) return broker;
    if (Date.now() > deadline) {
      await broker.stop();
      throw new Error(
        `The Pact Broker's heartbeat did not answer within ${START_TIMEOUT_MS / 1000} s. Its last lines:\n${lastLines.join('\n')}`,
      );
    }
    await sleep(150);
  }
}
