// `npm run test:e2e`: the whole loop against a real Pact Broker (Ruby). Plain `npm test` skips it.
import type { Config } from 'jest';
import type { Config as JestConfig } from '@jest/types';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base = require('./jest.config.ts') as Config;

/** The project of every test but the contract specs: Node's plain environment, TypeScript through ts-jest. */
const node = base.projects?.find(
  (project): project is JestConfig.InitialProjectOptions =>
    typeof project === 'object' && project.testEnvironment === 'node',
);

const config: Config = {
  ...node,
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Installs the broker's gems once (minutes on a fresh clone) before any test's clock starts.
  globalSetup: '<rootDir>/tests/e2e/global-setup.ts',
  // A real broker takes seconds to start, more while other tests load the CPU.
  testTimeout: 120_000,
  // Each test file starts its own brokers (Ruby processes of ~100 MB busy for seconds): two at a time fit 2 cores.
  maxWorkers: 2,
  workerGracefulExitTimeout: base.workerGracefulExitTimeout,
};

module.exports = config;
