// The floor: bare Jest (no transform, no Pact) running plain HTTP requests against a local server.
// Kept out of `npm test` (its roots are tests/); run only by `npm run bench`.
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.test.js'],
};
