// Loaded by Node's own type stripping (Node 22.18+, 24+): erasable TypeScript only, no loader package.
import type { Config } from 'jest';
import type { Config as JestConfig } from '@jest/types';

// Node's compile cache (documented since Node 22.1) keeps V8's compiled code of the modules Node loads (Jest,
// ts-jest, TypeScript) on disk, so a warm run skips compiling them again. Enabled here, it covers this process from
// now on; NODE_COMPILE_CACHE hands it on, as Node's docs advise, to Jest's workers and to the processes tests start
// (nested Jest runs, the tsx pipeline scripts). Its folder sits beside Jest's cache in node_modules/.cache, where CI
// restores both (.github/workflows/contracts.yml); NODE_COMPILE_CACHE set beforehand chooses another, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a value import would make Node parse this file as an ES module
const { enableCompileCache } = require('node:module') as typeof import('node:module');
const compileCache = enableCompileCache(
  process.env.NODE_COMPILE_CACHE || `${__dirname}/node_modules/.cache/node-compile-cache`,
);
if (compileCache.directory !== undefined) process.env.NODE_COMPILE_CACHE ??= compileCache.directory;

/** What every project shares: TypeScript through ts-jest, and a cache folder CI can keep between runs. */
const typescript: JestConfig.InitialProjectOptions = {
  // Transpile only (isolatedModules in tsconfig.json); `npm run typecheck` does the type-checking.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};

/**
 * The contract specs, in the contract environment: Node's, plus their duties (telemetry off, mismatches first, no
 * partial pacts, provenance records; the file says why). tests/pact-files/run-specs.ts builds its nested runs of
 * fixture specs from this project, found by its displayName.
 */
const contracts: JestConfig.InitialProjectOptions = {
  ...typescript,
  displayName: 'contracts',
  testEnvironment: '<rootDir>/tests/contracts/contract-environment.ts',
  roots: ['<rootDir>/tests/contracts'],
  testMatch: ['**/*.pact.test.ts'],
  moduleNameMapper: {
    // The one stand-in: a workaround for pact-js #1438, in one file that says when it goes.
    '^@pact-foundation/pact-core$': '<rootDir>/tests/contracts/pact-core-once.ts',
  },
};

/** Every other test, in Node's plain environment. tests/e2e needs Ruby and a real broker: jest.e2e.config.ts. */
const node: JestConfig.InitialProjectOptions = {
  ...typescript,
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/', '\\.pact\\.test\\.ts$'],
};

const config: Config = {
  projects: [contracts, node],
  // Global options (Jest reads them from here, not from a project). A cold Pact mock server (native library load)
  // can take a few seconds on a busy machine.
  testTimeout: 30_000,
  // Many test files wait on child processes (Jest, the pact CLI, the verifier): three workers keep two cores
  // busy, where Jest's default (cores - 1) leaves one idle.
  maxWorkers: 3,
  // A worker's loop ends promptly when told to (no open handles), but tearing down its heap (pact-js, TypeScript,
  // many test files) took 0.5-0.9 s on a busy 2-core machine, past the 0.5 s Jest waits by default: it killed the
  // worker and printed "A worker process has failed to exit gracefully" (docs/performance.md). A real leak would
  // still be reported, 3 s later.
  workerGracefulExitTimeout: 3_000,
};

// CommonJS, as package.json has no "type": Node would otherwise warn that it reparsed the file as an ES module.
module.exports = config;
