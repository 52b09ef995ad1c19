/**
 * Workaround for pact-js #1438 ("Failed to initialise global tracing subscriber"), the one package stand-in in
 * this repo: jest.config.ts maps `@pact-foundation/pact-core` here, for test files only.
 *
 * Why: pact-core initialises the Pact native library whenever its module-level handle is unset, and Jest
 * evaluates pact-core afresh for every test file while the native library stays loaded in the worker. The second
 * initialisation prints that line to stderr from native code. So every test file gets the one pact-core that
 * Node itself loaded for the process, through a loader the test environment (contract-environment.ts) puts on
 * each test file's global. Only the package root is shared: pact-js's log lines still go through the test
 * file's console, where the environment picks up mismatch reports.
 *
 * Remove this file, its moduleNameMapper line and the environment's loader once pact-core initialises once per
 * process; tests/pact-files/pact-files.test.ts (a run prints nothing of its own) tells whether that holds.
 */
const SHARED_PACT_CORE = Symbol.for('aggregator-contracts.pact-core');

const loadPactCore = (globalThis as { [SHARED_PACT_CORE]?: () => unknown })[SHARED_PACT_CORE];
if (loadPactCore === undefined) {
  throw new Error(
    '@pact-foundation/pact-core is mapped to tests/contracts/pact-core-once.ts, which needs the testEnvironment tests/contracts/contract-environment.ts.',
  );
}
module.exports = loadPactCore();
