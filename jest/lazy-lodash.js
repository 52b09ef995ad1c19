// @ts-check
/**
 * `lodash`, loaded on first use. jest.config.js maps the bare name `lodash` here (moduleNameMapper).
 *
 * Why: pact-js requires lodash when it loads (v3/graphql/graphQL.js, v4/graphql/graphQLInteractionWithRequest.js)
 * for one call, `lodash_1.isUndefined`, made only when a GraphQL interaction is built. Loading lodash (one
 * 540 kB file) costs ~7 ms in every spec file. Its callers read the function at call time, so a stand-in that
 * loads the real module on the first property access is indistinguishable to them. The stand-in is an object,
 * where lodash's own export is also a function (`_(value)` starts a chain), which pact-js never calls.
 * tests/lazy-graphql.test.ts holds it to account. It can go when pact-js stops requiring lodash at load.
 */
const { lazyModule } = require('./lazy-module');

module.exports = lazyModule('lodash/lodash.js', Symbol.for('aggregator-contracts.lazy-lodash.loaded')).standIn;
