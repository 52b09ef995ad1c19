import path from 'node:path';
import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { resolveConsumerVersion, type ConsumerVersion } from './consumer-version';
import { loadEnv } from './env';
import { ConfigError } from './errors';
import { readPactFiles, type PactFile } from './pact-files';
import { PROVIDER } from '../../src/shared/provider';
import { discoverConsumers, pactsDir, type Consumer } from './project';

/** What every broker step (publish, can-i-deploy, record-deployment) acts on, checked before anything is sent. */
export interface BrokerStep {
  broker: BrokerConfig;
  version: ConsumerVersion;
  /** Every consumer of the project, each with its pact: the three steps always act on this same set. */
  consumers: { consumer: Consumer; pact: PactFile }[];
}

/** Reads the configuration of the project in `root` (npm runs scripts from the package's folder). */
export function prepareBrokerStep(root: string = process.cwd(), processEnv: NodeJS.ProcessEnv = process.env): BrokerStep {
  const env = loadEnv(processEnv, root);
  const broker = readBrokerConfig(env);
  const dir = pactsDir(env, root);
  const consumers = pairConsumersWithPacts(discoverConsumers(root), readPactFiles(dir), dir);
  return { broker, version: resolveConsumerVersion(env, dir), consumers };
}

/**
 * Each consumer with its pact, or a refusal when the repo's consumers and the pacts disagree: a pact of no
 * consumer here (a stray or foreign file) and a consumer without its pact (its specs did not run) alike.
 */
export function pairConsumersWithPacts(consumers: Consumer[], pacts: PactFile[], dir: string): BrokerStep['consumers'] {
  const shown = path.relative(process.cwd(), dir) || '.';
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
