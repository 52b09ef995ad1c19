// @ts-check
/**
 * `@pact-foundation/pact-core` for the test files: one instance per Jest process instead of one per test file.
 * jest.config.js maps the package name here (moduleNameMapper); the instance is the one the test environment
 * (tests/support/contract-environment.ts) loads with Node's own require, whose module cache is the process's.
 *
 * Why: pact-core initialises the Pact native library on first use in each module registry, and Jest gives every
 * test file a registry of its own. The native library sets up its logger once per process, so when a Jest
 * process (a worker, or a run in band) runs a second spec file with a mock server, the second initialisation
 * prints "Failed to initialise global tracing subscriber - a global default trace dispatcher has already been
 * set" straight to stderr. With one pact-core per process it is asked once.
 *
 * Only the package root is shared: pact-js's deep import of pact-core's logger (dist/logger) stays in the test
 * file's registry, so pact-js's log lines still go through the test file's console, where the environment picks
 * up mismatch reports. pact-core's own lines (LOG_LEVEL=debug) go to the process's stdout, as the mock server's
 * do. pact-core hands pact-js plain values (numbers, strings, parsed JSON); its errors are another realm's
 * (`instanceof Error` is false in a test file), which nothing relies on: pact-js tests only its own callers'
 * errors that way, and Jest reports them and matches them in `toThrow` as usual.
 * tests/pact-files.test.ts fails if the line comes back.
 *
 * Remove this file, its mapping and the environment's loader when pact-core initialises once per process.
 */

/** Set on each test file's global by the test environment; the same key is in contract-environment.ts. */
const SHARED_PACT_CORE = Symbol.for('aggregator-contracts.pact-core');

const shared = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[SHARED_PACT_CORE];
if (typeof shared !== 'function') {
  throw new Error('@pact-foundation/pact-core is mapped to jest/pact-core-once.js, which needs testEnvironment tests/support/contract-environment.ts.');
}
/** The environment's loader: Node's require of the package, cached once per process. */
const loadPactCore = /** @type {() => unknown} */ (shared);
module.exports = loadPactCore();
