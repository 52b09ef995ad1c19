/**
 * npm run delete-branch -- --branch <name> [--dry-run]
 * Removes a branch deleted in git from the Pact Broker, for every consumer; their versions and verifications stay.
 */
import { deleteBranchMain } from './lib/branches';
import { consoleOutput, runScript } from './lib/script';

runScript((argv) => deleteBranchMain(argv, process.cwd(), process.env, consoleOutput));
