import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Env } from './env';
import { ConfigError } from './errors';

/** Exit codes of every script: done, failed, bad input (nothing sent). */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** Runs a script's main: a ConfigError is one line on stderr and exit 2; any other failure exit 1. */
export function runScript(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const bad = error instanceof ConfigError;
      console.error(`✗ ${bad ? '' : 'Unexpected failure: '}${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = bad ? EXIT.badInput : EXIT.failed;
    },
  );
}

/**
 * node:util's parseArgs with one-line errors that show the usage. Also refused: a single-valued flag given twice
 * (parseArgs keeps the last), and a flag npm kept for itself because it came before `--` (it reaches us only
 * as npm_config_<name>, unless an .npmrc sets it, as `tag=` is npm's own setting).
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string, env: Env = process.env) {
  for (const name of Object.keys(options)) {
    const variable = `npm_config_${name.replace(/-/g, '_')}`;
    const value = env[variable];
    if (name !== 'dry-run' && value !== undefined && !setInNpmrc(name, value, env)) {
      throw new ConfigError(`npm took --${name} for itself (it came before --, and reached the script only as ${variable}): put the script's flags after --. Usage: ${usage}`);
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

function setInNpmrc(name: string, value: string, env: Env): boolean {
  const files = [env.npm_config_local_prefix && path.join(env.npm_config_local_prefix, '.npmrc'), env.npm_config_userconfig, env.npm_config_globalconfig];
  const setting = new RegExp(`^\\s*${name}\\s*=\\s*"?(.*?)"?\\s*$`);
  return files.some((file) => {
    try {
      return !!file && readFileSync(file, 'utf8').split(/\r?\n/).some((line) => setting.exec(line)?.[1] === value);
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

/** A broker environment or application instance named by a flag. */
export function nameFlag(value: string | undefined, flag: string, usage: string, example = 'production'): string {
  if (value === undefined || value.trim() === '') throw new ConfigError(`${flag} is missing its name, e.g. ${flag} ${example}. Usage: ${usage}`);
  checkCliValue(value, { name: flag, showValue: true });
  if (!/^[\w.-]+$/.test(value)) throw new ConfigError(`${flag} ${JSON.stringify(value)} is not a usable name: use letters, digits, ".", "_" or "-".`);
  return value;
}

const isTrue = (value: string | undefined) => value !== undefined && value !== '' && value !== 'false' && value !== '0';

/** `-- --dry-run`, or npm's own `--dry-run` before `--`, which reaches us only as npm_config_dry_run. */
export function dryRunRequested(flag: boolean | undefined, env: Env = process.env): boolean {
  return flag === true || isTrue(env.npm_config_dry_run);
}

/** For a step without a dry run: refuse npm's flag rather than quietly do the real thing. */
export function refuseNpmDryRun(step: string, env: Env = process.env): void {
  if (isTrue(env.npm_config_dry_run)) throw new ConfigError(`${step} has no dry run (npm passed on --dry-run as npm_config_dry_run): run it without --dry-run.`);
}

/** "1 interaction", "2 interactions". */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Every value that reaches the pact CLI's command line or the broker (version, branch, tags, build URL,
 * environment, instance) passes here. A leading "-" would be read as an option (`--help` exits 0); a control
 * or invisible character would reach the broker inside a name. Options are also passed as `--name=value`.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;
export const MAX_CLI_VALUE_LENGTH = 1024;

export function cliValueProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.startsWith('-')) return 'starts with "-", so the pact CLI would take it for an option';
  if (CONTROL.test(value)) return 'contains a newline, a control character or an invisible one';
  if (/^\s|\s$/u.test(value)) return 'starts or ends with a space';
  if (value.length > MAX_CLI_VALUE_LENGTH) return `is longer than ${MAX_CLI_VALUE_LENGTH} characters`;
  return undefined;
}

/** `value`, or a ConfigError naming its source; a variable's value is never shown (it may be a misplaced secret). */
export function checkCliValue(value: string, source: { name: string; showValue: boolean }): string {
  const problem = cliValueProblem(value);
  if (problem) {
    const shown = source.showValue ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
    throw new ConfigError(`${source.name}${shown} ${problem}: give a plain value.`);
  }
  return value;
}

export const cliOption = (name: string, value: string) => `--${name}=${value}`;
