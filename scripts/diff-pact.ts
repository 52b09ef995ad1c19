/**
 * npm run diff:pact [-- --branch <name>] [--environment <name>] [--markdown]
 * What this checkout's pacts change against the broker's latest pacts on the main branch (or --branch), per consumer.
 * Read-only credentials are enough; nothing is published. Markdown goes to GITHUB_STEP_SUMMARY when it is set.
 */
import { diffMain } from './lib/diff-step';
import { consoleOutput, runScript } from './lib/script';

runScript((argv) => diffMain(argv, process.cwd(), process.env, consoleOutput));
