/**
 * npm run publish:pact [-- --dry-run] [--tag <tag>]...
 * Publishes every pact in the pacts folder to the Pact Broker, under the git commit that produced them.
 */
import { systemClock } from './lib/clock';
import { publishMain } from './lib/publish';
import { runScript } from './lib/script';

runScript((argv) =>
  publishMain(argv, process.cwd(), process.env, { clock: systemClock, log: (line) => console.log(line), error: (line) => console.error(line) }),
);
