import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { resolveConsumerVersion, type ConsumerVersion } from './consumer-version';
import { discoverConsumers, pactsDir, type Consumer } from './project';
import { checkProvenance } from './provenance';
import { pairConsumersWithPacts, readPactFiles, shown, type PactFile } from './pact-files';
import type { CliRunner } from './pact-cli';
import { loadEnv } from './script';

/** What every broker step acts on, all checked before anything is sent. */
export interface BrokerStep {
  broker: BrokerConfig;
  version: ConsumerVersion;
  /** Every consumer of the project with its pact: the three steps always act on this same set. */
  consumers: { consumer: Consumer; pact: PactFile }[];
}

/** Where a step's lines go, and how it runs the pact CLI (tests hand in a recorder). */
export interface StepContext {
  log: (line: string) => void;
  error: (line: string) => void;
  run?: CliRunner;
}

/** The checked step for the project in `root` (npm runs scripts from the package's folder), every pact vouched for by its run. */
export function prepareBrokerStep(
  root = process.cwd(),
  processEnv = process.env,
  options: { dryRun?: boolean; notify?: (line: string) => void } = {},
): BrokerStep {
  const env = loadEnv(processEnv, root, options.notify ?? ((line) => console.error(line)));
  const broker = readBrokerConfig(env, { dryRun: options.dryRun });
  const dir = pactsDir(env, root);
  const consumers = pairConsumersWithPacts(discoverConsumers(root), readPactFiles(dir), dir);
  const version = resolveConsumerVersion(env, dir);
  for (const { pact } of consumers) checkProvenance(pact.path, pact.content, shown(dir, pact.path), version.number);
  return { broker, version, consumers };
}
