import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';

export interface PactFile {
  path: string;
  consumer: string;
  provider: string;
  interactions: number;
  bytes: number;
}

/**
 * The largest pact the pipeline hands to the pact CLI. The CLI's time to prepare a pact grows faster than its
 * size (pact CLI 18.1, measured: 1 MB 2 s, 4 MB 7 s, 23 MB no request sent within 60 s), so a larger pact
 * would only run into PACT_BROKER_TIMEOUT_SECONDS and look like a broker that does not answer.
 */
export const MAX_PACT_BYTES = 4 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** How to refer to `dir` in messages: relative to where the user runs the step. */
export const shownDir = (dir: string) => path.relative(process.cwd(), dir) || '.';

/**
 * Reads and checks every pact in `dir` (its `*.json` files, not sub-folders, as the CLI reads them).
 * One bad file stops everything: nothing is published unless all of them can be. Messages never quote a
 * file's content, and never tell the user to delete a file: the folder may hold files they did not create.
 */
export function readPactFiles(dir: string): PactFile[] {
  const shown = shownDir(dir);
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(`${shown} is not a folder: PACT_DIR must name the folder the contract tests write pacts to.`);
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`The pacts folder ${shown}/ does not exist: run the contract tests first (npm test) to write the pacts, or check PACT_DIR.`);
  }
  if (names.length === 0) {
    throw new ConfigError(`No pact files in ${shown}/ (the folder is empty of *.json): run the contract tests first (npm test) to write them.`);
  }
  return names.map((name) => readPactFile(path.join(dir, name), path.join(shown, name), shown));
}

function readPactFile(file: string, shown: string, dirShown: string): PactFile {
  const notOurs = `is not a pact our contract tests write, and ${dirShown}/ should hold only those: check that PACT_DIR names the pacts folder, or move the file elsewhere.`;
  const stat = statSync(file);
  // A FIFO would block the read forever and a device (/dev/zero) never ends: only regular files are read.
  if (!stat.isFile()) throw new ConfigError(`${shown} is not a regular file (a folder, FIFO, socket or device), so it ${notOurs}`);
  const bytes = stat.size;
  if (bytes > MAX_PACT_BYTES) {
    throw new ConfigError(
      `${shown} is ${megabytes(bytes)}, over the ${megabytes(MAX_PACT_BYTES)} this pipeline sends: the pact CLI takes minutes to prepare a pact this large before sending anything. Keep example bodies small (a matcher needs one example).`,
    );
  }
  let pact: unknown;
  try {
    pact = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The parser's message quotes the file's content, which may be anything (a secret, too).
    throw new ConfigError(`${shown} is not valid JSON, so it ${notOurs}`);
  }
  const document = (typeof pact === 'object' && pact !== null ? pact : {}) as Record<string, unknown>;
  const name = (part: unknown) => {
    const value = (typeof part === 'object' && part !== null ? part : {}) as Record<string, unknown>;
    return typeof value.name === 'string' && value.name.trim() !== '' ? value.name : undefined;
  };
  const consumer = name(document.consumer);
  const provider = name(document.provider);
  const interactions = [document.interactions, document.messages].filter(Array.isArray).reduce((sum, list) => sum + list.length, 0);
  const problem = !consumer ? 'has no consumer name' : !provider ? 'has no provider name' : interactions === 0 ? 'has no interactions' : undefined;
  if (problem || !consumer || !provider) {
    throw new ConfigError(`${shown} is not a usable pact (it ${problem}), so it ${notOurs}`);
  }
  return { path: file, consumer, provider, interactions, bytes };
}
