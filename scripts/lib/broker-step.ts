import path from 'node:path';
import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { resolveConsumerVersion, type ConsumerVersion } from './consumer-version';
import { loadEnv } from './env';
import { ConfigError } from './errors';
import { readPactFiles, shownDir, type PactFile } from './pact-files';
import { checkProvenance } from './provenance';
import { PROVIDER } from '../../src/shared/provider';
import { discoverConsumers, pactsDir, type Consumer } from './project';

/** What every broker step (publish, can-i-deploy, record-deployment) acts on, checked before anything is sent. */
export interface BrokerStep {
  broker: BrokerConfig;
  version: ConsumerVersion;
  /** Every consumer of the project, each with its pact: the three steps always act on this same set. */
  consumers: { consumer: Consumer; pact: PactFile }[];
}

export interface StepOptions {
  /** A dry run sends nothing, so it needs no credentials. */
  dryRun?: boolean;
  /** Where notes go (a variable set differently in .env and the environment). */
  notify?: (line: string) => void;
}

/**
 * Reads the configuration of the project in `root` (npm runs scripts from the package's folder) and checks
 * each pact's provenance against the version: the step acts only on pacts this repo's contract tests wrote
 * at that commit, from a clean tree, unchanged since.
 */
export function prepareBrokerStep(root: string = process.cwd(), processEnv: NodeJS.ProcessEnv = process.env, options: StepOptions = {}): BrokerStep {
  const env = loadEnv(processEnv, root, options.notify ?? ((line) => console.error(line)));
  const broker = readBrokerConfig(env, { dryRun: options.dryRun });
  const dir = pactsDir(env, root);
  const consumers = pairConsumersWithPacts(discoverConsumers(root), readPactFiles(dir), dir);
  const version = resolveConsumerVersion(env, dir);
  for (const { pact } of consumers) checkProvenance(pact.path, path.join(shownDir(dir), path.basename(pact.path)), version.number);
  return { broker, version, consumers };
}

/**
 * Each consumer with its pact, or a refusal when the repo's consumers and the pacts disagree: a pact of no
 * consumer here (a stray or foreign file) and a consumer without its pact (its specs did not run) alike.
 */
export function pairConsumersWithPacts(consumers: Consumer[], pacts: PactFile[], dir: string): BrokerStep['consumers'] {
  const shown = shownDir(dir);
  if (consumers.length === 0) {
    throw new ConfigError('This project has no consumers (no src/consumer-*/pacticipant.ts): run the step from the project folder.');
  }
  for (const pact of pacts) {
    const owner = consumers.find((consumer) => consumer.pacticipant === pact.consumer);
    const name = path.basename(pact.path);
    if (!owner) {
      throw new ConfigError(
        `${path.join(shown, name)} is a pact of "${pact.consumer}", which is not a consumer of this project (${consumers.map((consumer) => consumer.pacticipant).join(', ')}): the pipeline publishes only what this repo's specs write. Move that file out of ${shown}/.`,
      );
    }
    if (pact.provider !== PROVIDER || name !== owner.pactFile) {
      throw new ConfigError(`${path.join(shown, name)} is a pact between ${pact.consumer} and ${pact.provider}, not the ${owner.pactFile} this project's specs write: move it out of ${shown}/.`);
    }
  }
  return consumers.map((consumer) => {
    const pact = pacts.find((candidate) => path.basename(candidate.path) === consumer.pactFile);
    if (!pact) throw new ConfigError(`No pact for ${consumer.pacticipant} in ${shown}/ (${consumer.pactFile}): run the contract tests (npm test) to write it.`);
    return { consumer, pact };
  });
}
