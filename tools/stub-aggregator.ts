/**
 * npm run stub:aggregator [-- --port 8080] [--consumer <name>] [--provider-state <regex>]
 * Serves the aggregator as our contracts describe it (pact stub over pacts/), so a consumer can run without the real
 * service. Each consumer gets a stub of its own contract on its own port (--port, then the next ones, in the order of
 * the consumers' folders): consumers that send the same request (every directory lists countries) may rely on
 * different answers, and one port would hand each of them whichever pact stub found first. A request may pick among
 * its consumer's interactions with the header Pact-Provider-State.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnvironment } from '../scripts/lib/child-process';
import { pactCliBinary } from '../scripts/lib/pact-cli';
import { pairConsumersWithPacts, readPactFiles, type PactFile } from '../scripts/lib/pact-files';
import { pactsDir, projectConsumers, type Consumer } from '../scripts/lib/project';
import {
  checkCliValue,
  cliOption,
  ConfigError,
  count,
  EXIT,
  loadEnv,
  parseFlags,
  runScript,
  wholeNumberFlag,
} from '../scripts/lib/script';

const USAGE = 'npm run stub:aggregator [-- --port <port>] [--consumer <name>] [--provider-state <regex>]';

/**
 * Whether something already listens on `port`. pact stub binds every interface (0.0.0.0; it has no host
 * option), so that is where we look: its own error for a taken port is a Rust panic.
 */
async function portTaken(port: number): Promise<boolean> {
  const probe = net.createServer().listen({ port, host: '0.0.0.0', exclusive: true });
  const taken = await once(probe, 'listening').then(
    () => false,
    () => true,
  );
  await new Promise((resolve) => probe.close(resolve));
  return taken;
}

/** Resolves true once something accepts connections on 127.0.0.1:`port`, false once `stub` has ended. */
async function listening(port: number, stub: ChildProcess): Promise<boolean> {
  while (stub.exitCode === null && stub.signalCode === null) {
    const socket = net.connect(port, '127.0.0.1');
    const connected = await once(socket, 'connect').then(
      () => true,
      () => false,
    );
    socket.destroy();
    if (connected) return true;
    await sleep(50);
  }
  return false;
}

const ended = (code: number | null) => (code === null ? 'killed by a signal' : `exit code ${code}`);

/** The consumers to serve: all, or the one `--consumer` names by its broker name or its folder. */
function chosenConsumers(consumers: Consumer[], wanted: string | undefined): Consumer[] {
  if (wanted === undefined) return consumers;
  const chosen = consumers.filter((consumer) => consumer.pacticipant === wanted || consumer.folder === wanted);
  if (chosen.length === 0)
    throw new ConfigError(
      `--consumer ${JSON.stringify(wanted)} is not a consumer of this project: choose one of ${consumers.map((consumer) => consumer.pacticipant).join(', ')}.`,
    );
  return chosen;
}

interface Stub {
  consumer: string;
  pact: PactFile;
  port: number;
  process: ChildProcess;
  closed: Promise<number | null>;
  /** What it printed on stderr before it listened (held back: a refused argument is then one line of ours). */
  heldErrors: string;
  /** What it logged on stdout before it listened. */
  heldLog: string;
}

runScript(async (argv) => {
  const flags = parseFlags(
    argv,
    { port: { type: 'string' }, consumer: { type: 'string' }, 'provider-state': { type: 'string' } },
    USAGE,
  );
  const firstPort = wholeNumberFlag(flags.port, '--port', 8080, 1, 65535);
  // Like every value we hand the CLI: never one it could read as an option (`--provider-state=--help`).
  const providerState =
    flags['provider-state'] && checkCliValue(flags['provider-state'], { name: '--provider-state', showValue: true });
  const root = process.cwd();
  const dir = pactsDir(loadEnv(process.env, root), root);
  const consumers = chosenConsumers(projectConsumers(root), flags.consumer);
  // With --consumer, only that consumer's pact is needed; the others' are not read.
  const pacts = readPactFiles(dir).filter((pact) =>
    consumers.some((consumer) => consumer.pacticipant === pact.consumer),
  );
  const served = pairConsumersWithPacts(consumers, pacts, dir);

  const ports = served.map((_, index) => firstPort + index);
  const lastPort = ports.at(-1) ?? firstPort;
  if (lastPort > 65535)
    throw new ConfigError(
      `${count(served.length, 'consumer')} need ports ${firstPort}-${lastPort}, past 65535: choose a lower --port.`,
    );
  for (const port of ports)
    if (await portTaken(port))
      throw new ConfigError(
        `Port ${port} is already in use: stop what listens there, or choose another with -- --port <n>.`,
      );

  // The steps' allowlist (telemetry off unless chosen). Its log has colour codes even when written to a file; NO_COLOR
  // turns them off unless a terminal shows them. warn: one line per request the contract does not describe, where
  // info logs two long lines for every request.
  const env = childEnvironment(process.env, { NO_COLOR: process.stdout.isTTY ? undefined : '1' });
  const stubs: Stub[] = served.map(({ consumer, pact }, index) => {
    const port = ports[index] ?? firstPort;
    const args = ['stub', '--file', pact.path, '--port', String(port)];
    args.push('--provider-state-header-name', 'Pact-Provider-State', '--loglevel', 'warn');
    if (providerState) args.push(cliOption('provider-state', providerState));
    const child = spawn(pactCliBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const stub: Stub = {
      consumer: consumer.pacticipant,
      pact,
      port,
      process: child,
      closed: once(child, 'close').then(([code]) => code as number | null),
      heldErrors: '',
      heldLog: '',
    };
    child.stdout.on('data', (chunk: Buffer) => (stub.heldLog += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stub.heldErrors += chunk.toString('utf8')));
    return stub;
  });
  // Stop every stub with us, whichever way we are stopped; and all of them when one fails.
  let stoppedByUs = false;
  const stopAll = (signal: NodeJS.Signals) => {
    for (const stub of stubs)
      if (stub.process.exitCode === null && stub.process.signalCode === null) stub.process.kill(signal);
  };
  const stop = (signal: NodeJS.Signals) => {
    stoppedByUs = true;
    stopAll(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const started = await Promise.all(stubs.map((stub) => listening(stub.port, stub.process)));
  if (stoppedByUs) {
    await Promise.all(stubs.map((stub) => stub.closed));
    console.log('Stub aggregator stopped before it listened.');
    return EXIT.ok;
  }
  const failed = stubs.find((_, index) => !started[index]);
  if (failed) {
    stopAll('SIGTERM');
    const code = await failed.closed;
    await Promise.all(stubs.map((stub) => stub.closed));
    const reason = failed.heldErrors
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('error:'))
      .at(-1);
    if (code === 2 && providerState && failed.heldErrors.includes("for '--provider-state")) {
      throw new ConfigError(
        `--provider-state ${JSON.stringify(providerState)} is not a regular expression pact stub accepts (${reason ?? 'invalid'}): fix the pattern.`,
      );
    }
    if (code === 2) throw new ConfigError(`pact stub refused its arguments (exit 2)${reason ? `: ${reason}` : ''}.`);
    console.error(
      `✗ The stub of ${failed.consumer} stopped before it listened (${ended(code)})${reason ? `: ${reason}` : ''}.`,
    );
    return EXIT.failed;
  }

  // From here on, each line a stub prints (its log goes to stdout, its errors to stderr) says whose stub it is.
  for (const stub of stubs) {
    for (const [stream, held, out] of [
      [stub.process.stdout, stub.heldLog, process.stdout],
      [stub.process.stderr, stub.heldErrors, process.stderr],
    ] as const) {
      if (!stream) continue;
      stream.removeAllListeners('data');
      for (const line of held.split('\n').filter((text) => text.trim() !== ''))
        out.write(`[${stub.consumer}] ${line}\n`);
      createInterface({ input: stream }).on('line', (line) => out.write(`[${stub.consumer}] ${line}\n`));
    }
  }
  // pact stub has no host option and listens on every interface, not only 127.0.0.1 (README: the stub).
  console.log(`Stub aggregator, one port per consumer (pact stub listens on all interfaces of this machine):`);
  for (const stub of stubs)
    console.log(`  ${stub.consumer}: http://127.0.0.1:${stub.port} (${count(stub.pact.interactions, 'interaction')})`);
  console.log('Ctrl+C stops it.');

  // The first stub to end decides: stopped on request is a clean end; ending by itself, or killed by anyone else, is not.
  const first = await Promise.race(stubs.map((stub) => stub.closed.then((code) => ({ stub, code }))));
  if (!stoppedByUs) stopAll('SIGTERM');
  await Promise.all(stubs.map((stub) => stub.closed));
  if (stoppedByUs) {
    console.log('Stub aggregator stopped.');
    return EXIT.ok;
  }
  console.error(
    `✗ The stub of ${first.stub.consumer} stopped by itself (${ended(first.code)}); the others were stopped.`,
  );
  return EXIT.failed;
});
