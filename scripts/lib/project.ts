import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROVIDER } from '../../src/shared/provider';
import { ConfigError, type Env } from './script';

/** The project's layout; nothing here names today's consumers. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where the specs write pacts and the steps read them: `PACT_DIR`, else `pacts/`. */
export function pactsDir(env: Env = process.env, root: string = PROJECT_ROOT): string {
  return env.PACT_DIR ? path.resolve(root, env.PACT_DIR) : path.join(root, 'pacts');
}

/** PactV4 names the file `<consumer>-<provider>.json`. */
export const pactFileName = (consumer: string, provider: string = PROVIDER) => `${consumer}-${provider}.json`;

export interface Consumer {
  /** `consumer-a`: its folder in src/ and the name of its spec. */
  folder: string;
  /** `consumer_a`: its name in its pact and in the broker. */
  pacticipant: string;
  pactFile: string;
  /** Relative to the project root: `tests/contracts/consumer-a.pact.test.ts`. */
  spec: string;
}

const contractSpec = (folder: string) => `tests/contracts/${folder}.pact.test.ts`;

/** Each `src/consumer-<x>/` with its `pacticipant.ts` and spec, sorted; a folder that breaks the rules is refused by name, never passed over. */
export function discoverConsumers(root: string = PROJECT_ROOT): Consumer[] {
  const srcDir = path.join(root, 'src');
  const folders = existsSync(srcDir)
    ? readdirSync(srcDir)
        .filter((name) => /^consumer-/i.test(name))
        .sort()
    : [];
  const consumers = folders.map((folder) => {
    if (!/^consumer-[a-z0-9][a-z0-9-]*$/.test(folder)) {
      throw new ConfigError(
        `src/${folder}/ is not a consumer folder name: use lower-case letters, digits and "-" after "consumer-" (e.g. src/${folder.toLowerCase().replace(/[^a-z0-9-]/g, '-')}/), and name its spec after it.`,
      );
    }
    const declaration = path.join(srcDir, folder, 'pacticipant.ts');
    if (!existsSync(declaration))
      throw new ConfigError(
        `src/${folder}/ has no pacticipant.ts: declare the consumer's broker name there (docs/publishing.md, "Consumers").`,
      );
    if (!existsSync(path.join(root, contractSpec(folder)))) {
      throw new ConfigError(
        `src/${folder}/ has no contract spec ${contractSpec(folder)}: npm test would never write its pact. Add the spec, or move the folder out of src/.`,
      );
    }
    // Read as the code that uses it (tsx in the scripts, ts-jest in the tests).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PACTICIPANT } = require(declaration) as { PACTICIPANT?: unknown };
    if (typeof PACTICIPANT !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(PACTICIPANT)) {
      throw new ConfigError(
        `src/${folder}/pacticipant.ts must export PACTICIPANT, a name of letters, digits, ".", "_" or "-" (not starting with "-"), such as 'consumer_a'.`,
      );
    }
    return { folder, pacticipant: PACTICIPANT, pactFile: pactFileName(PACTICIPANT), spec: contractSpec(folder) };
  });
  for (const consumer of consumers) {
    const first = consumers.find((other) => other.pacticipant === consumer.pacticipant);
    if (first && first !== consumer)
      throw new ConfigError(
        `src/${first.folder}/ and src/${consumer.folder}/ both declare the pacticipant "${consumer.pacticipant}": give each consumer its own name.`,
      );
  }
  return consumers;
}

/** discoverConsumers for a step: none at all is refused in one line (the step ran outside the project folder). */
export function projectConsumers(root: string = PROJECT_ROOT): Consumer[] {
  const consumers = discoverConsumers(root);
  if (consumers.length === 0)
    throw new ConfigError(
      'This project has no consumers (no src/consumer-*/pacticipant.ts): run the step from the project folder.',
    );
  return consumers;
}
