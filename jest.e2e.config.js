// @ts-check
// The e2e suite (npm run test:e2e): tests against a real Pact Broker, which needs Ruby. Plain `npm test` skips it.
const base = require('./jest.config');

/** @type {import('jest').Config} */
const config = {
  ...base,
  roots: ['<rootDir>/tests/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Installs the broker's gems once (minutes on a fresh clone) before any test's clock starts.
  globalSetup: '<rootDir>/tests/support/e2e-global-setup.ts',
  // A real broker takes seconds to start, more while other tests load the CPU.
  testTimeout: 120_000,
  // Each test file starts its own brokers (Ruby processes of ~100 MB busy for seconds): two at a time fit 2 cores.
  maxWorkers: 2,
};

module.exports = config;
