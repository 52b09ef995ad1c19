/**
 * npm run can-i-deploy -- --to-environment <env> [--retry-while-unknown <times>] [--retry-interval <seconds>]
 * Asks the Pact Broker whether each consumer's version can be deployed to the environment.
 */
import { prepareBrokerStep } from './lib/broker-step';
import { stopOnSignals } from './lib/child-process';
import { canIDeployStep } from './lib/can-i-deploy-step';
import {
  ConfigError,
  consoleOutput,
  nameFlag,
  parseFlags,
  refuseNpmDryRun,
  runScript,
  wholeNumberFlag,
} from './lib/script';

const USAGE =
  'npm run can-i-deploy -- --to-environment <env> [--retry-while-unknown <times>] [--retry-interval <seconds>]';

// A signal ends the step with 128 + its number, after stopping what the step started.
stopOnSignals();
runScript(async (argv) => {
  refuseNpmDryRun('can-i-deploy');
  const flags = parseFlags(
    argv,
    {
      'to-environment': { type: 'string' },
      'retry-while-unknown': { type: 'string' },
      'retry-interval': { type: 'string' },
    },
    USAGE,
  );
  const environment = nameFlag(flags['to-environment'], '--to-environment', USAGE);
  // While the provider's verification is still running the answer is "unknown": ask again, but not forever.
  const retries = wholeNumberFlag(flags['retry-while-unknown'], '--retry-while-unknown', 2, 0, 60);
  const intervalSeconds = wholeNumberFlag(flags['retry-interval'], '--retry-interval', 10, 1, 300);
  const step = prepareBrokerStep();
  if (retries * intervalSeconds >= step.broker.timeoutSeconds) {
    throw new ConfigError(
      `--retry-while-unknown ${retries} × --retry-interval ${intervalSeconds} s does not fit in PACT_BROKER_TIMEOUT_SECONDS (${step.broker.timeoutSeconds} s), which bounds the whole step: ask fewer times, or raise PACT_BROKER_TIMEOUT_SECONDS.`,
    );
  }
  return canIDeployStep(step, environment, { retries, intervalSeconds }, consoleOutput);
});
