// @ts-check
/**
 * `graphql`, loaded on first use. jest.config.js maps the bare name `graphql` here (moduleNameMapper).
 *
 * Why: pact-js (its v4 module, through common/graphQL and graphql-tag) requires graphql when it loads, but
 * calls it only for GraphQL interactions (`addGraphQLInteraction`). Loading graphql costs ~40 ms in every
 * spec file that never uses it. Both of its callers read its functions at call time (`graphql_1.print(…)`,
 * `graphql.parse(…)`), so a stand-in that loads the real module on the first property access is
 * indistinguishable to them. tests/lazy-graphql.test.ts holds that to account.
 */
const { lazyModule } = require('./lazy-module');

module.exports = lazyModule('graphql/index.js', Symbol.for('aggregator-contracts.lazy-graphql.loaded')).standIn;
