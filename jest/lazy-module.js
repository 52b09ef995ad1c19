// @ts-check
/**
 * A stand-in for a module whose exports are read at call time: the real module is required on the first read of
 * any export, not when the stand-in is. jest/lazy-graphql.js, lazy-lodash.js and lazy-pino-pretty.js are built
 * on it (each file says why its module is worth deferring); jest.config.js maps each bare name to its file
 * (moduleNameMapper), and tests/lazy-*.test.ts hold each to account.
 *
 * `loaded` (a symbol key) reports whether the real module is loaded, without loading it. `deferred` exports are
 * the stand-in's own, for an export that is called at load and must itself defer (pino-pretty's prettyFactory).
 * Like a real module's exports, the stand-in is never written to; writes through it (and freezing it) are refused.
 */

/**
 * @param {string} realPath the real package, by a path the mapping does not match (`graphql/index.js`)
 * @param {symbol} loaded the key that reports whether it is loaded
 * @param {Record<PropertyKey, unknown>} [deferred] exports served by the stand-in itself
 * @returns {{ standIn: Record<PropertyKey, unknown>, load: () => Record<PropertyKey, unknown> }}
 */
function lazyModule(realPath, loaded, deferred = {}) {
  /** @type {Record<PropertyKey, unknown> | undefined} */
  let real;
  const load = () => {
    real ??= /** @type {Record<PropertyKey, unknown>} */ (require(realPath));
    return real;
  };
  const own = (/** @type {PropertyKey} */ key) => Object.hasOwn(deferred, key);
  const standIn = new Proxy(/** @type {Record<PropertyKey, unknown>} */ ({}), {
    get: (_target, key) => (key === loaded ? real !== undefined : own(key) ? deferred[key] : Reflect.get(load(), key)),
    has: (_target, key) => key === loaded || own(key) || Reflect.has(load(), key),
    ownKeys: () => Reflect.ownKeys(load()),
    // Reported configurable: a Proxy may not claim a non-configurable property its (empty) target lacks.
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
      if (descriptor && own(key)) return { value: deferred[key], writable: false, enumerable: descriptor.enumerable, configurable: true };
      return descriptor && { ...descriptor, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
    // Refused: freezing would make the empty target non-extensible, and then no key the real module lists could
    // be reported any more. Nothing that loads these modules freezes them.
    preventExtensions: () => false,
  });
  return { standIn, load };
}

module.exports = { lazyModule };
