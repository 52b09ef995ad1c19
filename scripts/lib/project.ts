import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROVIDER } from '../../src/shared/provider';
import type { Env } from './env';
import { ConfigError } from './errors';

/**
 * The project's layout, in one place: where consumers live, where their specs and pacts are. Nothing here
 * names today's consumers: a consumer is a folder `src/consumer-<x>/` declaring its name in `pacticipant.ts`,
 * plus its spec `tests/contracts/consumer-<x>.pact.test.ts`.
 */

/** This repository's root: where the pact CLI and Jest are installed. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where the specs write pacts and the pipeline scripts read them: `PACT_DIR`, else `pacts/` in `root`. */
export function pactsDir(env: Env = process.env, root: string = PROJECT_ROOT): string {
  return env.PACT_DIR ? path.resolve(root, env.PACT_DIR) : path.join(root, 'pacts');
}

/** PactV4 names the file `<consumer>-<provider>.json` from the names exactly as given. */
export function pactFileName(consumer: string, provider: string = PROVIDER): string {
  return `${consumer}-${provider}.json`;
}

export interface Consumer {
  /** `consumer-a`: its folder in src/ and the prefix of its specs in tests/. */
  folder: string;
  /** `consumer_a`: its name in its pact and in the broker. */
  pacticipant: string;
  /** Its pact file's name, e.g. `consumer_a-aggregator.json`. */
  pactFile: string;
  /** Its contract spec, relative to the project root: `tests/contracts/consumer-a.pact.test.ts`. */
  spec: string;
}

/** Where a consumer's contract spec lives, relative to the project root. */
export const contractSpec = (folder: string) => `tests/contracts/${folder}.pact.test.ts`;

const CONSUMER_FOLDER = /^consumer-[a-z0-9][a-z0-9-]*$/;
/** What the broker and the pact CLI take as a pacticipant name without quoting or option confusion. */
const PACTICIPANT_NAME = /^[A-Za-z0-9][\w.-]*$/;

/** The consumers of this project (or of the project folder `root`), sorted by folder. */
export function discoverConsumers(root: string = PROJECT_ROOT): Consumer[] {
  const srcDir = path.join(root, 'src');
  const folders = existsSync(srcDir) ? readdirSync(srcDir).filter((name) => CONSUMER_FOLDER.test(name)).sort() : [];
  const consumers = folders.map((folder) => {
    const declaration = path.join(srcDir, folder, 'pacticipant.ts');
    if (!existsSync(declaration)) {
      throw new ConfigError(`src/${folder}/ has no pacticipant.ts: declare the consumer's broker name there (README: "Add a consumer").`);
    }
    // The scripts run under tsx and the tests under ts-jest, so the declaration is read as the code that uses it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PACTICIPANT } = require(declaration) as { PACTICIPANT?: unknown };
    if (typeof PACTICIPANT !== 'string' || !PACTICIPANT_NAME.test(PACTICIPANT)) {
      throw new ConfigError(
        `src/${folder}/pacticipant.ts must export PACTICIPANT, a name of letters, digits, ".", "_" or "-" (not starting with "-"), such as 'consumer_a'.`,
      );
    }
    return { folder, pacticipant: PACTICIPANT, pactFile: pactFileName(PACTICIPANT), spec: contractSpec(folder) };
  });
  const seen = new Map<string, string>();
  for (const consumer of consumers) {
    const other = seen.get(consumer.pacticipant);
    if (other) throw new ConfigError(`src/${other}/ and src/${consumer.folder}/ both declare the pacticipant "${consumer.pacticipant}": give each consumer its own name.`);
    seen.set(consumer.pacticipant, consumer.folder);
  }
  return consumers;
}
