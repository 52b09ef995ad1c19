import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parse } from 'dotenv';

// What every script needs: its environment, its flags, one-line refusals and its exit code.

/** Bad configuration or input: the scripts print its message as one line and exit 2 without sending anything. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Exit codes of every script: done, failed, bad input (nothing sent). */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** Runs a script's main: a ConfigError is one line on stderr and exit 2; any other failure exit 1. */
export function runScript(main: (argv: string[]) => Promise<number>): void {
  const failed = (error: unknown) => {
    const bad = error instanceof ConfigError;
    console.error(`✗ ${bad ? '' : 'Unexpected failure: '}${error instanceof Error ? error.message : String(error)}`);
    return bad ? EXIT.badInput : EXIT.failed;
  };
  void main(process.argv.slice(2))
    .catch(failed)
    .then((code) => (process.exitCode = code));
}

/** The environment as the scripts see it: the process environment over `.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Per loaded environment: the .env file and the variables whose value came from it (for messages). */
const origins = new WeakMap<Env, { file: string; fromFile: ReadonlySet<string> }>();

/** `.env` (or the file DOTENV_CONFIG_PATH names) under the real environment, which always wins; `notify` hears where they differ, by name only. */
export function loadEnv(
  processEnv = process.env,
  projectRoot = process.cwd(),
  notify: (line: string) => void = () => undefined,
): Env {
  const named = processEnv.DOTENV_CONFIG_PATH;
  const file = named ? path.resolve(projectRoot, named) : path.join(projectRoot, '.env');
  if (named && !existsSync(file))
    throw new ConfigError(
      `DOTENV_CONFIG_PATH names ${file}, which does not exist: fix the path, or unset DOTENV_CONFIG_PATH to read .env.`,
    );
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    // A FIFO or a device would block or never end the read.
    if (!statSync(file).isFile() && file !== '/dev/null')
      throw new ConfigError(`${file} is not a regular file: point DOTENV_CONFIG_PATH at a file of NAME=value lines.`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`${file} could not be read: check that it is a readable file of NAME=value lines.`);
    }
    const cut = cutAtHash(text);
    if (cut)
      throw new ConfigError(
        `${cut} in ${file} has a "#" inside its unquoted value, which .env reads as the start of a comment: quote the value, e.g. ${cut}="…#…".`,
      );
    fromFile = parse(text);
  }
  const env: Env = { ...fromFile, ...processEnv };
  const overridden = Object.keys(fromFile).filter(
    (name) => processEnv[name] !== undefined && processEnv[name] !== fromFile[name],
  );
  if (overridden.length > 0) {
    notify(
      `Note: ${overridden.join(', ')} ${overridden.length === 1 ? 'is' : 'are'} set both in the environment and in ${file}, differently: the environment's value wins.`,
    );
  }
  origins.set(env, { file, fromFile: new Set(Object.keys(fromFile).filter((name) => processEnv[name] === undefined)) });
  return env;
}

/** A character no .env holds, standing in for "#" to see what dotenv would read if "#" began no comment. */
const NOT_A_COMMENT = '\uE000';

/**
 * The first variable whose value dotenv cuts at a "#" (`PASSWORD=ab#cd` and `PASSWORD: ab#cd` are both read as "ab"),
 * found with dotenv's own parser, so its grammar decides (quoted and multi-line values, `KEY: value`): the value as
 * read, followed directly by "#", is where the value would have gone on. A comment after a space (`KEY=v # note`)
 * is a comment.
 */
function cutAtHash(text: string): string | undefined {
  const read = parse(text);
  const uncut = parse(text.replaceAll('#', NOT_A_COMMENT));
  const escaped = (name: string) => name.replace(/[.]/g, '\\.');
  /** The text after `NAME=` (or `NAME: `) on the last line assigning it, as dotenv's last assignment wins. */
  const rawValue = (name: string) =>
    [...text.matchAll(new RegExp(`^[ \\t]*(?:export[ \\t]+)?${escaped(name)}(?:[ \\t]*=|:[ \\t]+)(.*)$`, 'gm'))]
      .at(-1)?.[1]
      ?.trimStart();
  return Object.keys(read).find((name) =>
    read[name] === ''
      ? // Empty as read: cut only when "#" follows "=" at once (`KEY= # note` is an empty value and a comment).
        new RegExp(`^[ \\t]*(?:export[ \\t]+)?${escaped(name)}[ \\t]*=#`, 'm').test(text)
      : uncut[name]?.replaceAll(NOT_A_COMMENT, '#').startsWith(`${read[name]}#`) ||
        // Odd quoting (`KEY='it''s#'`): the raw line goes on with "#" where the value as read ends, and "#" mattered.
        // `KEY="value"#more`: the same, the value quoted.
        (['', '"', "'", '`'].some((quote) => rawValue(name)?.startsWith(`${quote}${read[name]}${quote}#`)) &&
          uncut[name]?.replaceAll(NOT_A_COMMENT, '#') !== read[name]),
  );
}

/** A variable's name for a message, with its origin when its value came from the .env file. */
export function variableName(env: Env, name: string): string {
  const origin = origins.get(env);
  return origin?.fromFile.has(name) ? `${name} (from ${origin.file})` : name;
}

export const consoleOutput = { log: (line: string) => console.log(line), error: (line: string) => console.error(line) };

/**
 * parseArgs with one-line errors showing the usage. Also refused: a flag given twice (parseArgs keeps the last), and one npm kept
 * because it came before `--` (it reaches us only as npm_config_<name>, unless an .npmrc sets it: `tag=` is npm's own).
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
  env: Env = process.env,
) {
  for (const name of Object.keys(options)) {
    const variable = `npm_config_${name.replace(/-/g, '_')}`;
    const value = env[variable];
    if (name !== 'dry-run' && value !== undefined && !setInNpmrc(name, value, env)) {
      throw new ConfigError(
        `npm took --${name} for itself (it came before --, and reached the script only as ${variable}): put the script's flags after --. Usage: ${usage}`,
      );
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.split('\n')[0]}. Usage: ${usage}`);
  }
  const given = parsed.tokens.flatMap((token) =>
    token.kind === 'option' && !options[token.name]?.multiple ? [token.name] : [],
  );
  const twice = given.find((name, index) => given.indexOf(name) !== index);
  if (twice) throw new ConfigError(`--${twice} was given more than once: give it once. Usage: ${usage}`);
  return parsed.values;
}

function setInNpmrc(name: string, value: string, env: Env): boolean {
  const files = [
    env.npm_config_local_prefix && path.join(env.npm_config_local_prefix, '.npmrc'),
    env.npm_config_userconfig,
    env.npm_config_globalconfig,
  ];
  const setting = new RegExp(`^\\s*${name}\\s*=\\s*"?(.*?)"?\\s*$`);
  return files.some((file) => {
    try {
      return (
        !!file &&
        readFileSync(file, 'utf8')
          .split(/\r?\n/)
          .some((line) => setting.exec(line)?.[1] === value)
      );
    } catch {
      return false;
    }
  });
}

/** An optional whole number within [min, max]: a flag's (its value shown), or with `unit` a variable's (never shown). */
export function wholeNumberFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
  unit?: string,
): number {
  if (value === undefined) return fallback;
  if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
  const shown = unit ? '' : `, got ${JSON.stringify(value.slice(0, 40))}`;
  throw new ConfigError(`${name} must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}${shown}.`);
}

export function nameFlag(value: string | undefined, flag: string, usage: string, example = 'production'): string {
  if (value === undefined || value.trim() === '')
    throw new ConfigError(`${flag} is missing its name, e.g. ${flag} ${example}. Usage: ${usage}`);
  checkCliValue(value, { name: flag, showValue: true });
  if (!/^[\w.-]+$/.test(value))
    throw new ConfigError(
      `${flag} ${JSON.stringify(value)} is not a usable name: use letters, digits, ".", "_" or "-".`,
    );
  return value;
}

/** npm's own `--dry-run` before `--` reaches us only as npm_config_dry_run. */
const npmDryRun = (env: Env) => !['', 'false', '0', undefined].includes(env.npm_config_dry_run);

export const dryRunRequested = (flag: boolean | undefined, env: Env = process.env) => flag === true || npmDryRun(env);

/** For a step without a dry run: refuse npm's flag rather than quietly do the real thing. */
export function refuseNpmDryRun(step: string, env: Env = process.env): void {
  if (npmDryRun(env))
    throw new ConfigError(
      `${step} has no dry run (npm passed on --dry-run as npm_config_dry_run): run it without --dry-run.`,
    );
}

/** The JSON in `json`, or undefined when there is none (the parser's message quotes content, so it is never shown). */
export function parseJson(json: string | undefined): unknown {
  try {
    return json ? JSON.parse(json) : undefined;
  } catch {
    return undefined;
  }
}

export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Every value bound for the CLI's command line or the broker passes here: a leading "-" would be read as an option
 * (`--help` exits 0), a control or invisible character would reach the broker inside a name.
 */
export function cliValueProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.startsWith('-')) return 'starts with "-", so the pact CLI would take it for an option';
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u.test(value))
    return 'contains a newline, a control character or an invisible one';
  if (/^\s|\s$/u.test(value)) return 'starts or ends with a space';
  return value.length > 1024 ? 'is longer than 1024 characters' : undefined;
}

/** `value`, or a ConfigError naming its source; a variable's value is never shown (it may be a misplaced secret). */
export function checkCliValue(value: string, source: { name: string; showValue: boolean }): string {
  const problem = cliValueProblem(value);
  if (!problem) return value;
  const shown = source.showValue ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
  throw new ConfigError(`${source.name}${shown} ${problem}: give a plain value.`);
}

export const cliOption = (name: string, value: string) => `--${name}=${value}`;

/** Each option that has a value, as `--name=value`: a value can never be taken for an option of its own. */
export const cliOptions = (options: Record<string, string | undefined>) =>
  Object.entries(options).flatMap(([name, value]) => (value ? [cliOption(name, value)] : []));
