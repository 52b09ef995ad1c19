import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from './script';

/** The environment as the scripts see it: the process environment over `.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Per loaded environment: the .env file and the variables whose value came from it (for messages). */
const origins = new WeakMap<Env, { file: string; fromFile: ReadonlySet<string> }>();

/** `.env` (or the file DOTENV_CONFIG_PATH names) under the real environment, which always wins; `notify` hears where they differ, by name only. */
export function loadEnv(processEnv = process.env, projectRoot = process.cwd(), notify: (line: string) => void = () => undefined): Env {
  const named = processEnv.DOTENV_CONFIG_PATH;
  const file = named ? path.resolve(projectRoot, named) : path.join(projectRoot, '.env');
  if (named && !existsSync(file)) throw new ConfigError(`DOTENV_CONFIG_PATH names ${file}, which does not exist: fix the path, or unset DOTENV_CONFIG_PATH to read .env.`);
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    // A FIFO or a device would block or never end the read.
    if (!statSync(file).isFile() && file !== '/dev/null') throw new ConfigError(`${file} is not a regular file: point DOTENV_CONFIG_PATH at a file of NAME=value lines.`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`${file} could not be read: check that it is a readable file of NAME=value lines.`);
    }
    // dotenv ends an unquoted value at its first "#" (a comment): `BROKER_PASSWORD=ab#cd` would silently be "ab".
    const cut = /^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*(?!['"`])(\S[^#\n]*)?(?<![ \t])#/m.exec(text);
    if (cut) throw new ConfigError(`${cut[1]} in ${file} has a "#" inside its unquoted value, which .env reads as the start of a comment: quote the value, e.g. ${cut[1]}="…#…".`);
    fromFile = parse(text);
  }
  const env: Env = { ...fromFile, ...processEnv };
  const overridden = Object.keys(fromFile).filter((name) => processEnv[name] !== undefined && processEnv[name] !== fromFile[name]);
  const verb = overridden.length === 1 ? 'is' : 'are';
  if (overridden.length > 0) notify(`Note: ${overridden.join(', ')} ${verb} set both in the environment and in ${file}, differently: the environment's value wins.`);
  origins.set(env, { file, fromFile: new Set(Object.keys(fromFile).filter((name) => processEnv[name] === undefined)) });
  return env;
}

/** A variable's name for a message, with its origin when its value came from the .env file. */
export function variableName(env: Env, name: string): string {
  const origin = origins.get(env);
  return origin?.fromFile.has(name) ? `${name} (from ${origin.file})` : name;
}
