import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from './errors';

/** Environment as the scripts see it: the process environment over `.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

interface Origins {
  /** The .env file that was read. */
  file: string;
  /** Variables whose value came from that file. */
  fromFile: ReadonlySet<string>;
}

/** Where each loaded environment's variables came from, for messages; only loadEnv adds to it. */
const origins = new WeakMap<Env, Origins>();

/**
 * The environment the scripts work with: `.env` (or the file `DOTENV_CONFIG_PATH` names, which must exist)
 * under the real environment, so a variable set in the shell or by CI always wins over the file. `.env` is
 * looked for in the project folder the script runs in (npm runs scripts from the package's folder).
 * `notify` hears, by name only, each variable that the file and the environment set to different values.
 */
export function loadEnv(processEnv: NodeJS.ProcessEnv = process.env, projectRoot: string = process.cwd(), notify: (line: string) => void = () => undefined): Env {
  const named = processEnv.DOTENV_CONFIG_PATH;
  const file = named ? path.resolve(projectRoot, named) : path.join(projectRoot, '.env');
  if (named && !existsSync(file)) {
    throw new ConfigError(`DOTENV_CONFIG_PATH names ${file}, which does not exist: fix the path, or unset DOTENV_CONFIG_PATH to read .env.`);
  }
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    // A FIFO or a device would block or never end the read (/dev/null, to read nothing, is fine).
    if (!statSync(file).isFile() && file !== '/dev/null') throw new ConfigError(`${file} is not a regular file: point DOTENV_CONFIG_PATH at a file of NAME=value lines.`);
    try {
      fromFile = parse(readFileSync(file));
    } catch {
      throw new ConfigError(`${file} could not be read: check that it is a readable file of NAME=value lines.`);
    }
  }
  const env: Env = { ...fromFile, ...processEnv };
  const overridden = Object.keys(fromFile).filter((name) => processEnv[name] !== undefined && processEnv[name] !== fromFile[name]);
  if (overridden.length > 0) {
    notify(`Note: ${overridden.join(', ')} ${overridden.length === 1 ? 'is' : 'are'} set both in the environment and in ${file}, differently: the environment's value wins.`);
  }
  origins.set(env, { file, fromFile: new Set(Object.keys(fromFile).filter((name) => processEnv[name] === undefined)) });
  return env;
}

/** A variable's name for a message, with where its value came from when that was the .env file. */
export function variableName(env: Env, name: string): string {
  const origin = origins.get(env);
  return origin?.fromFile.has(name) ? `${name} (from ${origin.file})` : name;
}
