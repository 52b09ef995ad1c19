import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

/** Environment as the scripts see it: the process environment over `.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment the scripts work with: `.env` (or the file `DOTENV_CONFIG_PATH` names) under the real
 * environment, so a variable set in the shell or by CI always wins over the file. `.env` is looked for in
 * the project folder the script runs in (npm runs scripts from the package's folder).
 */
export function loadEnv(processEnv: NodeJS.ProcessEnv = process.env, projectRoot: string = process.cwd()): Env {
  const file = processEnv.DOTENV_CONFIG_PATH || path.join(projectRoot, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  return { ...fromFile, ...processEnv };
}
