/**
 * npm run publish:pact [-- --dry-run] [--tag <tag>]...
 * Publishes every pact in the pacts folder to the Pact Broker, under the git commit that produced them.
 */
import { prepareBrokerStep } from './lib/broker-step';
import { systemClock } from './lib/clock';
import { dryRunRequested } from './lib/dry-run';
import { checkTags, publishPacts } from './lib/publish';
import { parseFlags, runScript } from './lib/script';

const USAGE = 'npm run publish:pact [-- --dry-run] [--tag <tag>]...';

runScript(async (argv) => {
  const flags = parseFlags(argv, { 'dry-run': { type: 'boolean' }, tag: { type: 'string', multiple: true } }, USAGE);
  const tags = checkTags(flags.tag ?? []);
  const dryRun = dryRunRequested(flags['dry-run']);
  // Everything is checked before the first request: bad input publishes nothing.
  const step = prepareBrokerStep(process.cwd(), process.env, { dryRun });
  return publishPacts(step, tags, dryRun, { clock: systemClock, log: (line) => console.log(line), error: (line) => console.error(line) });
});
