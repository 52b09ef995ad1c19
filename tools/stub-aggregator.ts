/**
 * npm run stub:aggregator [-- --port 8080] [--provider-state <regex>]
 * Serves the aggregator as our contracts describe it (pact stub over pacts/), so a consumer can run
 * without the real service. A request may pick among interactions with the header Pact-Provider-State.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pactCliBinary, withoutTelemetry } from '../scripts/lib/pact-cli';
import { pairConsumersWithPacts, readPactFiles } from '../scripts/lib/pact-files';
import { discoverConsumers, pactsDir } from '../scripts/lib/project';
import {
  checkCliValue,
  cliOption,
  ConfigError,
  EXIT,
  loadEnv,
  parseFlags,
  runScript,
  wholeNumberFlag,
} from '../scripts/lib/script';

const USAGE = 'npm run stub:aggregator [-- --port <port>] [--provider-state <regex>]';

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

runScript(async (argv) => {
  const flags = parseFlags(argv, { port: { type: 'string' }, 'provider-state': { type: 'string' } }, USAGE);
  const port = wholeNumberFlag(flags.port, '--port', 8080, 1, 65535);
  // Like every value we hand the CLI: never one it could read as an option (`--provider-state=--help`).
  const providerState =
    flags['provider-state'] && checkCliValue(flags['provider-state'], { name: '--provider-state', showValue: true });
  const root = process.cwd();
  const dir = pactsDir(loadEnv(process.env, root), root);
  const pacts = pairConsumersWithPacts(discoverConsumers(root), readPactFiles(dir), dir).map(({ pact }) => pact);

  if (await portTaken(port))
    throw new ConfigError(
      `Port ${port} is already in use: stop what listens there, or choose another with -- --port <n>.`,
    );
  // warn: one line per request the contracts do not describe, where info logs two long lines for every request.
  const files = pacts.flatMap((pact) => ['--file', pact.path]);
  const args = [
    'stub',
    ...files,
    '--port',
    String(port),
    '--provider-state-header-name',
    'Pact-Provider-State',
    '--loglevel',
    'warn',
  ];
  if (providerState) args.push(cliOption('provider-state', providerState));

  // Its log has colour codes even when written to a file; NO_COLOR turns them off unless a terminal shows them.
  const env = { ...withoutTelemetry(process.env), ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }) };
  const stub = spawn(pactCliBinary(), args, { stdio: ['ignore', 'inherit', 'pipe'], env });
  const closed = once(stub, 'close').then(([code]) => code as number | null);
  // Its errors are held back until it listens: a pattern it rejects (`--provider-state '('`) is then one line,
  // exit 2, with no banner for a stub that never ran.
  let heldErrors = '';
  const hold = (chunk: Buffer) => (heldErrors += chunk.toString('utf8'));
  stub.stderr.on('data', hold);
  // Stop the stub with us, whichever way we are stopped.
  let stoppedByUs = false;
  const stop = (signal: NodeJS.Signals) => {
    stoppedByUs = true;
    stub.kill(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const started = await listening(port, stub);
  if (stoppedByUs) {
    await closed;
    console.log('Stub aggregator stopped before it listened.');
    return EXIT.ok;
  }
  if (!started) {
    const code = await closed;
    const reason = heldErrors
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('error:'))
      .at(-1);
    if (code === 2 && providerState && heldErrors.includes("for '--provider-state")) {
      throw new ConfigError(
        `--provider-state ${JSON.stringify(providerState)} is not a regular expression pact stub accepts (${reason ?? 'invalid'}): fix the pattern.`,
      );
    }
    if (code === 2) throw new ConfigError(`pact stub refused its arguments (exit 2)${reason ? `: ${reason}` : ''}.`);
    console.error(`✗ The stub stopped before it listened (${ended(code)})${reason ? `: ${reason}` : ''}.`);
    return EXIT.failed;
  }
  stub.stderr.off('data', hold);
  process.stderr.write(heldErrors);
  stub.stderr.pipe(process.stderr);
  const interactions = pacts.reduce((sum, pact) => sum + pact.interactions, 0);
  // pact stub has no host option and listens on every interface, not only 127.0.0.1 (README: the stub).
  console.log(
    `Stub aggregator on http://127.0.0.1:${port} (pact stub listens on all interfaces of this machine) from ${pacts.map((pact) => pact.consumer).join(', ')} (${interactions} interactions). Ctrl+C stops it.`,
  );

  const code = await closed;
  // Stopped on request is a clean end; the stub ending by itself, or killed by anyone else, is not.
  if (stoppedByUs) {
    console.log('Stub aggregator stopped.');
    return EXIT.ok;
  }
  console.error(`✗ The stub stopped by itself (${ended(code)}).`);
  return EXIT.failed;
});
