import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROVIDER } from '../../src/shared/provider';
import type { Consumer } from './project';
import { ConfigError, parseJson } from './script';

/** A pact in the pacts folder, as read once: the steps check and send these bytes, never the file again. */
export interface PactFile {
  path: string;
  consumer: string;
  provider: string;
  interactions: number;
  content: Buffer;
}

/** The pact CLI's time to prepare a pact grows faster than its size (18.1: 1 MB 2 s, 4 MB 7 s, 23 MB nothing sent in 60 s). */
export const MAX_PACT_BYTES = 4 * 1024 * 1024;

/** `file` in `dir` as the user sees it in messages: relative to where the step runs. */
export const shown = (dir: string, file = '') =>
  path.join(path.relative(process.cwd(), dir) || '.', path.basename(file));

/** Each consumer with its pact; a pact of no consumer here, or a consumer without its pact, is refused. */
export function pairConsumersWithPacts(
  consumers: Consumer[],
  pacts: PactFile[],
  dir: string,
): { consumer: Consumer; pact: PactFile }[] {
  for (const pact of pacts) {
    const owner = consumers.find((consumer) => consumer.pacticipant === pact.consumer);
    if (!owner) {
      throw new ConfigError(
        `${shown(dir, pact.path)} is a pact of "${pact.consumer}", which is not a consumer of this project (${consumers.map((consumer) => consumer.pacticipant).join(', ')}): the pipeline publishes only what this repo's specs write. Move that file out of ${shown(dir)}/.`,
      );
    }
    if (pact.provider !== PROVIDER || path.basename(pact.path) !== owner.pactFile) {
      throw new ConfigError(
        `${shown(dir, pact.path)} is a pact between ${pact.consumer} and ${pact.provider}, not the ${owner.pactFile} this project's specs write: move it out of ${shown(dir)}/.`,
      );
    }
  }
  return consumers.map((consumer) => {
    const pact = pacts.find((candidate) => path.basename(candidate.path) === consumer.pactFile);
    if (!pact)
      throw new ConfigError(
        `No pact for ${consumer.pacticipant} in ${shown(dir)}/ (${consumer.pactFile}): run the contract tests (npm test) to write it.`,
      );
    return { consumer, pact };
  });
}

/** Every `*.json` in `dir` (as the CLI reads it), checked; messages never quote a file or advise deleting one the user may not have made. */
export function readPactFiles(dir: string): PactFile[] {
  if (!existsSync(dir))
    throw new ConfigError(
      `The pacts folder ${shown(dir)}/ does not exist: run the contract tests first (npm test) to write the pacts, or check PACT_DIR.`,
    );
  if (!statSync(dir).isDirectory())
    throw new ConfigError(
      `${shown(dir)} is not a folder: PACT_DIR must name the folder the contract tests write pacts to.`,
    );
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new ConfigError(
      `The pacts folder ${shown(dir)}/ could not be listed (${(error as NodeJS.ErrnoException).code}): check its permissions, or PACT_DIR.`,
    );
  }
  if (names.length === 0)
    throw new ConfigError(
      `No pact files in ${shown(dir)}/ (the folder is empty of *.json): run the contract tests first (npm test) to write them.`,
    );
  return names.map((name) => readPactFile(dir, path.join(dir, name)));
}

function readPactFile(dir: string, file: string): PactFile {
  const notOurs = `is not a pact our contract tests write, and ${shown(dir)}/ should hold only those: check that PACT_DIR names the pacts folder, or move the file elsewhere.`;
  const stat = statSync(file);
  // A FIFO would block the read forever and a device never ends: only regular files are read.
  if (!stat.isFile())
    throw new ConfigError(
      `${shown(dir, file)} is not a regular file (a folder, FIFO, socket or device), so it ${notOurs}`,
    );
  const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (stat.size > MAX_PACT_BYTES) {
    throw new ConfigError(
      `${shown(dir, file)} is ${megabytes(stat.size)}, over the ${megabytes(MAX_PACT_BYTES)} this pipeline sends: the pact CLI takes minutes to prepare a pact this large before sending anything. Keep example bodies small (a matcher needs one example).`,
    );
  }
  const content = readFileSync(file);
  type Named = { name?: unknown } | undefined;
  const pact = parseJson(content.toString('utf8')) as
    { consumer?: Named; provider?: Named; interactions?: unknown; messages?: unknown } | undefined;
  if (pact === undefined) throw new ConfigError(`${shown(dir, file)} is not valid JSON, so it ${notOurs}`);
  const name = (part: Named) => (typeof part?.name === 'string' && part.name.trim() !== '' ? part.name : undefined);
  const [consumer, provider] = [name(pact?.consumer), name(pact?.provider)];
  const interactions = [pact?.interactions, pact?.messages]
    .filter(Array.isArray)
    .reduce((sum, list) => sum + list.length, 0);
  const problem = !consumer
    ? 'has no consumer name'
    : !provider
      ? 'has no provider name'
      : interactions === 0
        ? 'has no interactions'
        : undefined;
  if (problem || !consumer || !provider)
    throw new ConfigError(`${shown(dir, file)} is not a usable pact (it ${problem}), so it ${notOurs}`);
  return { path: file, consumer, provider, interactions, content };
}
