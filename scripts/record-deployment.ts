/**
 * npm run record-deployment -- --environment <env> [--application-instance <name>] [--dry-run]
 * Tells the Pact Broker that each consumer's version is now deployed to the environment.
 */
import { prepareBrokerStep } from './lib/broker-step';
import { stopOnSignals } from './lib/child-process';
import { recordDeploymentStep } from './lib/record-deployment-step';
import { consoleOutput, dryRunRequested, nameFlag, parseFlags, runScript } from './lib/script';

const USAGE = 'npm run record-deployment -- --environment <env> [--application-instance <name>] [--dry-run]';

// A signal ends the step with 128 + its number, after stopping what the step started.
stopOnSignals();
runScript(async (argv) => {
  const flags = parseFlags(
    argv,
    { environment: { type: 'string' }, 'application-instance': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    USAGE,
  );
  const environment = nameFlag(flags.environment, '--environment', USAGE);
  const instance =
    flags['application-instance'] === undefined
      ? undefined
      : nameFlag(flags['application-instance'], '--application-instance', USAGE, 'blue');
  const dryRun = dryRunRequested(flags['dry-run']);
  return recordDeploymentStep(
    prepareBrokerStep(process.cwd(), process.env, { dryRun }),
    environment,
    instance,
    dryRun,
    consoleOutput,
  );
});
