/**
 * npm run broker:start [-- --port 9292] [--data-dir broker/data]
 * Runs the real Pact Broker 2.120.0 (Ruby gem; for local use) on 127.0.0.1 in the foreground until Ctrl+C or SIGTERM,
 * on SQLite in the data folder, or on the PostgreSQL that PACT_BROKER_DATABASE_URL names (the official image's variable).
 * Its read/write user is the one publish:pact logs in as; a read-only user is optional.
 */
import path from 'node:path';
import {
  DATABASE_FILE_NAME,
  ensureBrokerBundle,
  readBrokerUsers,
  startBrokerServer,
  type RunningBroker,
} from './server';
import { EXIT, loadEnv, parseFlags, runScript, wholeNumberFlag } from '../scripts/lib/script';

const USAGE = 'npm run broker:start [-- --port <port>] [--data-dir <folder>]';

runScript(async (argv) => {
  const flags = parseFlags(argv, { port: { type: 'string' }, 'data-dir': { type: 'string' } }, USAGE);
  const port = wholeNumberFlag(flags.port, '--port', 9292, 1, 65535);
  const dataDir = path.resolve(flags['data-dir'] || path.join(__dirname, 'data'));
  const env = loadEnv();
  const users = readBrokerUsers(env);
  const databaseUrl = env.PACT_BROKER_DATABASE_URL;

  // From here on a Ctrl+C or SIGTERM stops whatever is running (install, start-up, broker) and nothing else.
  const stopping = new AbortController();
  const stop = () => {
    if (!stopping.signal.aborted) console.log('Stopping the Pact Broker...');
    stopping.abort();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);

  let broker: RunningBroker;
  try {
    await ensureBrokerBundle(env, (line) => console.log(line), stopping.signal);
    broker = await startBrokerServer({
      ...users,
      port,
      database: databaseUrl ? { url: databaseUrl } : { file: path.join(dataDir, DATABASE_FILE_NAME) },
      env,
      signal: stopping.signal,
      onOutput: (text) => process.stdout.write(text),
    });
  } catch (error) {
    // Stopped on request while installing or starting: a clean stop, not a failure.
    if (!stopping.signal.aborted) throw error;
    console.log('Pact Broker stopped before it was up.');
    return EXIT.ok;
  }
  // A Ctrl+C during the last heartbeat check has already aborted: stop now rather than wait for the next one.
  if (stopping.signal.aborted) void broker.stop();
  else stopping.signal.addEventListener('abort', () => void broker.stop());

  const shownDir = path.relative(process.cwd(), dataDir).startsWith('..')
    ? dataDir
    : path.relative(process.cwd(), dataDir) || '.';
  const shownData = databaseUrl ? databaseUrl.replace(/\/\/[^@/]*@/, '//') : `${shownDir}/`;
  console.log(
    `Pact Broker on ${broker.url} (data in ${shownData}). Log in to its UI as ${users.readWrite.username}, its read/write user. Ctrl+C stops it.`,
  );
  const code = await broker.exited;
  if (stopping.signal.aborted) {
    await broker.stop();
    console.log('Pact Broker stopped.');
    return EXIT.ok;
  }
  console.error(`✗ The Pact Broker exited on its own (code ${code}).`);
  return EXIT.failed;
});
