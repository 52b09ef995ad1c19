/**
 * npm run publish:pact [-- --dry-run] [--tag <tag>]...
 * Publishes every consumer's pact to the Pact Broker, under the git commit that produced them.
 */
import { stopOnSignals } from './lib/child-process';
import { publishMain } from './lib/publish-step';
import { consoleOutput, runScript } from './lib/script';

// A signal ends the step with 128 + its number, after stopping the pact CLI and removing its copy of the pact.
stopOnSignals();
runScript((argv) => publishMain(argv, process.cwd(), process.env, consoleOutput));
