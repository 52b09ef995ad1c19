/**
 * npm run publish:pact [-- --dry-run] [--tag <tag>]...
 * Publishes every consumer's pact to the Pact Broker, under the git commit that produced them.
 */
import { publishMain } from './lib/publish-step';
import { consoleOutput, runScript } from './lib/script';

runScript((argv) => publishMain(argv, process.cwd(), process.env, consoleOutput));
