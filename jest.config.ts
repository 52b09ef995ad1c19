/** @jest-config-loader esbuild-register */
// esbuild-register loads this file in milliseconds; Jest's default (ts-node) would type-check it on every run.
import type { Config } from 'jest';

const config: Config = {
  // Node's environment, plus telemetry off and no partial pacts left behind (see the file).
  testEnvironment: '<rootDir>/tests/support/contract-environment.ts',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/e2e needs Ruby and a real Pact Broker: only `npm run test:e2e` (jest.e2e.config.ts) runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/'],
  // ts-jest transpiles only (isolatedModules in tsconfig.json); `npm run typecheck` does the type-checking.
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // A cold Pact mock server (native library load) can take a few seconds on a busy machine.
  testTimeout: 30_000,
  // pact-js requires ramda's index, which loads its 367 modules one by one (~35 ms in every spec file);
  // ramda's own single-file build is the same library in one module (npm run bench measures it).
  moduleNameMapper: { '^ramda$': '<rootDir>/node_modules/ramda/dist/ramda.js' },
};

export default config;
