import { readBrokerConfig, type BrokerConfig } from './broker-config';
import { resolveConsumerVersion, type ConsumerVersion } from './consumer-version';
import { pactsDir, projectConsumers, type Consumer } from './project';
import { checkProvenance } from './provenance';
import { pairConsumersWithPacts, readPactFiles, shown, type PactFile } from './pact-files';
import type { CliRunner } from './pact-cli';
import { refusePactFilters } from './child-process';
import { ConfigError, loadEnv } from './script';
import { screened, WITHHELD } from './secrets';

/** What every broker step acts on, all checked before anything is sent. */
export interface BrokerStep {
  broker: BrokerConfig;
  version: ConsumerVersion;
  /** Every consumer of the project with its pact: the three steps always act on this same set. */
  consumers: { consumer: Consumer; pact: PactFile }[];
  /** A dry run's refusals that a real run would meet (a real run throws the first instead). */
  refusals: string[];
}

/** Where a step's lines go, and how it runs the pact CLI (tests hand in a recorder). */
export interface StepContext {
  log: (line: string) => void;
  error: (line: string) => void;
  run?: CliRunner;
}

/** `context` with every line it prints screened: one that holds a credential, in any form, is withheld whole. */
export function screenedContext(context: StepContext, broker: BrokerConfig): StepContext {
  const screen = (print: (line: string) => void) => (line: string) => print(screened(line, broker) ?? WITHHELD);
  return { ...context, log: screen(context.log), error: screen(context.error) };
}

/**
 * The checked step for the project in `root` (npm runs scripts from the package's folder), every pact vouched for by
 * its run. A dry run goes on past the refusals it can (a dirty tree, provenance, a Pact filter variable) and lists them.
 */
export function prepareBrokerStep(
  root = process.cwd(),
  processEnv = process.env,
  options: { dryRun?: boolean; notify?: (line: string) => void; publishes?: string } = {},
): BrokerStep {
  const refusals: string[] = [];
  const check = (action: () => void) => {
    try {
      action();
    } catch (error) {
      if (!(options.dryRun && error instanceof ConfigError)) throw error;
      refusals.push(error.message);
    }
  };
  const env = loadEnv(processEnv, root, options.notify ?? ((line) => console.error(line)));
  if (options.publishes) {
    const step = options.publishes;
    check(() => refusePactFilters(env, step));
  }
  const broker = readBrokerConfig(env, { dryRun: options.dryRun });
  const dir = pactsDir(env, root);
  const consumers = pairConsumersWithPacts(projectConsumers(root), readPactFiles(dir), dir);
  const version = resolveConsumerVersion(
    env,
    dir,
    root,
    options.dryRun ? (error) => refusals.push(error.message) : undefined,
  );
  for (const { pact } of consumers)
    check(() => checkProvenance(pact.path, pact.content, shown(dir, pact.path), version.number));
  return { broker, version, consumers, refusals };
}
