import { rmSync } from 'node:fs';
import path from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { declarePactFile } from './declared-pact-files';
import { PROVIDER } from '../../src/shared/provider';
import { pactFileName, pactsDir } from '../../scripts/lib/project';

type LogLevel = NonNullable<ConstructorParameters<typeof PactV4>[0]['logLevel']>;
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** `LOG_LEVEL=debug npm test` shows the mock server's own log (it goes to stdout); quiet by default. */
function logLevelFromEnv(): LogLevel {
  const wanted = process.env.LOG_LEVEL?.toLowerCase();
  if (wanted === undefined || wanted === '') return 'warn';
  const level = LOG_LEVELS.find((candidate) => candidate === wanted);
  if (level === undefined) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  return level;
}

/**
 * The contract between `consumer` and the aggregator, for one spec file.
 *
 * pact-js merges every interaction into the file already on disk, so an interaction deleted from the
 * spec would live on in the pact. The consumer's old file is therefore removed before its specs run;
 * other consumers' files are left alone. One spec file per consumer keeps that removal safe.
 * The file is declared to the test environment (contract-environment.ts), which removes it again if any
 * test of the spec file failed: a partial contract is never left behind.
 */
export function contractWithAggregator(consumer: string, dir: string = pactsDir()): PactV4 {
  const file = path.resolve(dir, pactFileName(consumer));
  beforeAll(() => {
    rmSync(file, { force: true });
  });
  declarePactFile(file);
  // No port: the mock server takes a free one, so specs and processes never collide.
  return new PactV4({ consumer, provider: PROVIDER, dir, logLevel: logLevelFromEnv() });
}
