import path from 'node:path';
import { PROVIDER } from '../../src/shared/provider';
import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { resolveConsumerVersion, type ConsumerVersion } from './consumer-version';
import { loadEnv } from './env';
import { ConfigError } from './errors';
import { readPactFiles, shownDir, type PactFile } from './local-pacts';
import { discoverConsumers, pactsDir, type Consumer } from './project';
import { checkProvenance } from './provenance';

/** What every broker step acts on, all checked before anything is sent. */
export interface BrokerStep {
  broker: BrokerConfig;
  version: ConsumerVersion;
  /** Every consumer of the project with its pact: the three steps always act on this same set. */
  consumers: { consumer: Consumer; pact: PactFile }[];
}

/**
 * The checked configuration of the project in `root` (npm runs scripts from the package's folder): each pact
 * must have been written and vouched for by one clean run of the contract tests at the version's commit.
 */
export function prepareBrokerStep(root: string = process.cwd(), processEnv: NodeJS.ProcessEnv = process.env, options: { dryRun?: boolean; notify?: (line: string) => void } = {}): BrokerStep {
  const env = loadEnv(processEnv, root, options.notify ?? ((line) => console.error(line)));
  const broker = readBrokerConfig(env, { dryRun: options.dryRun });
  const dir = pactsDir(env, root);
  const consumers = pairConsumersWithPacts(discoverConsumers(root), readPactFiles(dir), dir);
  const version = resolveConsumerVersion(env, dir);
  for (const { pact } of consumers) checkProvenance(pact.path, pact.content, path.join(shownDir(dir), path.basename(pact.path)), version.number);
  return { broker, version, consumers };
}

/** Each consumer with its pact; a pact of no consumer here, or a consumer without its pact, is refused. */
export function pairConsumersWithPacts(consumers: Consumer[], pacts: PactFile[], dir: string): BrokerStep['consumers'] {
  const shown = shownDir(dir);
  if (consumers.length === 0) throw new ConfigError('This project has no consumers (no src/consumer-*/pacticipant.ts): run the step from the project folder.');
  for (const pact of pacts) {
    const owner = consumers.find((consumer) => consumer.pacticipant === pact.consumer);
    const name = path.basename(pact.path);
    if (!owner) {
      throw new ConfigError(`${path.join(shown, name)} is a pact of "${pact.consumer}", which is not a consumer of this project (${consumers.map((consumer) => consumer.pacticipant).join(', ')}): the pipeline publishes only what this repo's specs write. Move that file out of ${shown}/.`);
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
