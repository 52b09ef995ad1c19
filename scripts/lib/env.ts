import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { PROJECT_ROOT, type Env } from '../../src/contract-config';


/**
 * The environment the scripts work with: `.env` (or the file `DOTENV_CONFIG_PATH` names) under the real
 * environment, so a variable set in the shell or by CI always wins over the file.
 */
export function loadEnv(processEnv: NodeJS.ProcessEnv = process.env): Env {
  const file = processEnv.DOTENV_CONFIG_PATH || path.join(PROJECT_ROOT, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  return { ...fromFile, ...processEnv };
}
