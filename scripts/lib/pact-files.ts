import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';

export interface PactFile {
  path: string;
  consumer: string;
  provider: string;
  interactions: number;
}

/**
 * Reads and checks every pact in `dir` (its `*.json` files, not sub-folders, as the CLI reads them).
 * One bad file stops everything: nothing is published unless all of them can be.
 */
export function readPactFiles(dir: string): PactFile[] {
  const shown = path.relative(process.cwd(), dir) || '.';
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new ConfigError(`No pact files in ${shown}/: run the contract tests first (npm test) to write them.`);
  }
  return names.map((name) => readPactFile(path.join(dir, name), path.join(shown, name)));
}

function readPactFile(file: string, shown: string): PactFile {
  let pact: unknown;
  try {
    pact = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${shown} is not valid JSON (${(error as Error).message}): delete it and run the tests again.`);
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
    throw new ConfigError(`${shown} is not a usable pact: it ${problem}. Delete it and run the tests again.`);
  }
  return { path: file, consumer, provider, interactions };
}
