import { readFileSync } from 'node:fs';
import path from 'node:path';
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

/**
 * node:util's parseArgs, with its errors turned into a one-line ConfigError that shows the usage. Also refused:
 * a single-valued flag given twice (parseArgs keeps the last, so `--to-environment production --to-environment
 * staging` would ask about staging alone), and a flag that npm took for itself because it came before `--`
 * (`npm run publish:pact --tag=prod` reaches us only as npm_config_tag, and would otherwise be dropped).
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string, env: NodeJS.ProcessEnv = process.env) {
  for (const name of Object.keys(options)) {
    // --dry-run has its own handling (lib/dry-run.ts): honoured, or refused where a step has none.
    const npmVariable = `npm_config_${name.replace(/-/g, '_')}`;
    const value = env[npmVariable];
    if (name !== 'dry-run' && value !== undefined && !setInNpmrc(name, value, env)) {
      throw new ConfigError(`npm took --${name} for itself (it came before --, and reached the script only as ${npmVariable}): put the script's flags after --. Usage: ${usage}`);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.split('\n')[0]}. Usage: ${usage}`);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new ConfigError(`--${token.name} was given more than once: give it once. Usage: ${usage}`);
    seen.add(token.name);
  }
  return parsed.values;
}

/**
 * Whether an npmrc file npm reads (the project's, the user's, the global one) sets `name` to `value`: then npm
 * passes it on for every script (`tag=next` is a real npm setting) and it says nothing about this command line.
 */
function setInNpmrc(name: string, value: string, env: NodeJS.ProcessEnv): boolean {
  const files = [env.npm_config_local_prefix && path.join(env.npm_config_local_prefix, '.npmrc'), env.npm_config_userconfig, env.npm_config_globalconfig];
  const setting = new RegExp(`^\\s*${name}\\s*=\\s*"?(.*?)"?\\s*$`);
  return files.some((file) => {
    if (!file) return false;
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/).some((line) => setting.exec(line)?.[1] === value);
    } catch {
      return false;
    }
  });
}

/** An optional whole-number flag within [min, max]. */
export function wholeNumberFlag(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value.slice(0, 40))}.`);
  }
  return Number(value);
}
