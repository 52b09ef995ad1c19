import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from './errors';

/** Exit codes shared by every script. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/**
 * Runs a script's main function: bad input (ConfigError) is one line on stderr and exit 2; any other failure
 * exit 1. The message never carries a secret: the config messages name variables, not their values.
 */
export function runScript(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        console.error(`✗ ${error.message}`);
        process.exitCode = EXIT.badInput;
      } else {
        console.error(`✗ Unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = EXIT.failed;
      }
    },
  );
}

/** node:util's parseArgs, with its errors turned into a one-line ConfigError that shows the usage. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.split('\n')[0]}. Usage: ${usage}`);
  }
}

/** An optional whole-number flag within [min, max]. */
export function wholeNumberFlag(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value.slice(0, 40))}.`);
  }
  return Number(value);
}
