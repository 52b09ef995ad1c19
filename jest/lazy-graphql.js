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

/** The real package, by a path the mapping (`^graphql$`) does not match. */
const REAL = 'graphql/index.js';

/** A property of the stand-in that says whether the real module is loaded, without loading it. */
const LOADED = Symbol.for('aggregator-contracts.lazy-graphql.loaded');

/** @type {Record<PropertyKey, unknown> | undefined} */
let real;
const load = () => {
  real ??= /** @type {Record<PropertyKey, unknown>} */ (require(REAL));
  return real;
};

module.exports = new Proxy(/** @type {Record<PropertyKey, unknown>} */ ({}), {
  get: (_target, key) => (key === LOADED ? real !== undefined : Reflect.get(load(), key)),
  has: (_target, key) => key === LOADED || Reflect.has(load(), key),
  ownKeys: () => Reflect.ownKeys(load()),
  // Reported configurable: a Proxy may not claim a non-configurable property its (empty) target lacks.
  getOwnPropertyDescriptor: (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    return descriptor && { ...descriptor, configurable: true };
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});
