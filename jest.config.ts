// Loaded by Node's own type stripping (Node 22.18+, 24+): erasable TypeScript only, no loader package.
import type { Config } from 'jest';

const config: Config = {
  // Node's environment plus the contract specs' duties: telemetry off, mismatches first, no partial pacts,
  // provenance records (the file says why).
  testEnvironment: '<rootDir>/tests/contracts/contract-environment.ts',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/e2e needs Ruby and a real Pact Broker: only `npm run test:e2e` (jest.e2e.config.ts) runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/'],
  // Transpile only (isolatedModules in tsconfig.json); `npm run typecheck` does the type-checking.
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: {
    // The one stand-in: a workaround for pact-js #1438, in one file that says when it goes.
    '^@pact-foundation/pact-core$': '<rootDir>/tests/contracts/pact-core-once.ts',
  },
  // A cold Pact mock server (native library load) can take a few seconds on a busy machine.
  testTimeout: 30_000,
  // Many test files wait on child processes (Jest, the pact CLI, the verifier): three workers keep two cores
  // busy, where Jest's default (cores - 1) leaves one idle.
  maxWorkers: 3,
};

// CommonJS, as package.json has no "type": Node would otherwise warn that it reparsed the file as an ES module.
module.exports = config;
