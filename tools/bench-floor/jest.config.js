// The floors: bare Jest (no transform, plain JS), running plain HTTP requests against a local server (requests.js) or
// pact-js interactions (pact.js). `npm run bench` generates the floor files and passes their folder as --roots; never
// part of `npm test`.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['**/*.floor.test.js'],
};
