// The floor: bare Jest (no transform, no Pact, plain JS) running plain HTTP requests against a local server.
// `npm run bench` generates the floor files and passes their folder as --roots; never part of `npm test`.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['**/*.floor.test.js'],
};
