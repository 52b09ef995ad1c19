// @ts-check
// Plain JS, type-checked by `npm run typecheck` (checkJs): Jest requires it as is, where a jest.config.ts
// costs a TypeScript loader (esbuild-register: ~0.1 s in every run).

/** @type {import('jest').Config} */
const config = {
  // Node's environment, plus telemetry off and no partial pacts left behind (see the file).
  testEnvironment: '<rootDir>/tests/support/contract-environment.ts',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/e2e needs Ruby and a real Pact Broker: only `npm run test:e2e` (jest.e2e.config.js) runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/'],
  // ts-jest transpiles only (isolatedModules in tsconfig.json); `npm run typecheck` does the type-checking.
  // jest/lazy-ts-jest.js loads ts-jest (and TypeScript) only when a file is not in Jest's cache.
  transform: { '^.+\\.ts$': ['<rootDir>/jest/lazy-ts-jest.js', {}] },
  // A cold Pact mock server (native library load) can take a few seconds on a busy machine.
  testTimeout: 30_000,
  // Jest's default, watchman on, spawns `watchman get-sockname` at every start (~5–15 ms from the Jest process)
  // and, where watchman is not installed, learns only that. The node crawler lists our few dozen test files in
  // milliseconds.
  watchman: false,
  // Many test files wait on child processes (Jest, the pact CLI, the verifier): three workers keep two cores
  // busy, where Jest's default (cores - 1) leaves one idle.
  maxWorkers: 3,
  moduleNameMapper: {
    // pact-js requires ramda's index, which loads its 367 modules one by one (~35 ms in every spec file);
    // ramda's own single-file build is the same library in one module (npm run bench measures it).
    '^ramda$': '<rootDir>/node_modules/ramda/dist/ramda.js',
    // pact-js requires graphql at load, for GraphQL interactions only (~40 ms): loaded on first use instead.
    '^graphql$': '<rootDir>/jest/lazy-graphql.js',
    // pact-js requires lodash at load, for one call made only for GraphQL interactions (~7 ms): on first use.
    '^lodash$': '<rootDir>/jest/lazy-lodash.js',
    // pact-core's logger builds pino-pretty's prettifier when pact-js loads, for lines our specs rarely print
    // (~14 ms per spec file): the real prettifier is built with the first line instead.
    '^pino-pretty$': '<rootDir>/jest/lazy-pino-pretty.js',
    // One pact-core per Jest process, so the native library is initialised once (the file says why).
    '^@pact-foundation/pact-core$': '<rootDir>/jest/pact-core-once.js',
    // axios requires form-data at load, for multipart bodies only (~40 ms in every file that imports a client):
    // loaded on first use instead.
    '^form-data$': '<rootDir>/jest/lazy-form-data.js',
  },
};

module.exports = config;
