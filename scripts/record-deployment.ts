/**
 * npm run record-deployment -- --environment <env> [--application-instance <name>]
 * Tells the Pact Broker that each consumer's version is now deployed to the environment.
 */
import { prepareBrokerStep } from './lib/broker-step';
import { describeBrokerFailure, runPactCli } from './lib/pact-cli';
import { EXIT, environmentFlag, parseFlags, runScript } from './lib/script';

const USAGE = 'npm run record-deployment -- --environment <env> [--application-instance <name>]';

runScript(async (argv) => {
  const flags = parseFlags(argv, { environment: { type: 'string' }, 'application-instance': { type: 'string' } }, USAGE);
  const environment = environmentFlag(flags.environment, '--environment', USAGE);
  const instance = flags['application-instance'];
  const { broker, version, consumers } = prepareBrokerStep();

  console.log(`Recording consumer version ${version.number} as deployed to ${environment}${instance ? ` (${instance})` : ''} in ${broker.baseUrl}`);
  const failed: string[] = [];
  // Every consumer is recorded even if one fails: each deployment happened, and the broker should know it.
  for (const consumer of consumers.map((each) => each.consumer.pacticipant)) {
    const args = ['broker', 'record-deployment', '--pacticipant', consumer, '--version', version.number, '--environment', environment, '--broker-base-url', broker.baseUrl];
    if (instance) args.push('--application-instance', instance);
    const run = await runPactCli(args, broker, Date.now() + broker.timeoutSeconds * 1000);
    if (run.code === 0) {
      console.log(`  ✓ ${consumer} ${version.number} recorded as deployed to ${environment}`);
    } else if (/\b404 Not Found\b/.test(run.output)) {
      console.log(`  ✗ ${consumer}: the broker does not know ${consumer} version ${version.number}: publish its pacts first (npm run publish:pact).`);
      failed.push(consumer);
    } else {
      console.log(`  ✗ ${consumer}: ${describeBrokerFailure(run, broker)}`);
      failed.push(consumer);
    }
  }
  if (failed.length > 0) {
    console.error(`✗ Recording failed for ${failed.join(', ')}.`);
    return EXIT.failed;
  }
  console.log(`Recorded ${consumers.length} deployments to ${environment}.`);
  return EXIT.ok;
});
