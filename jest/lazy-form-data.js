// @ts-check
/**
 * `form-data`, loaded on first use. jest.config.js maps the bare name `form-data` here (moduleNameMapper).
 *
 * Why: axios's Node build requires form-data when it loads, for multipart bodies only, and our clients only send
 * GETs without a body. form-data pulls in 58 more modules from 22 packages (mime-db, get-intrinsic, …): ~40 ms
 * in every test file that imports a client. axios keeps the constructor in its defaults and reaches it only
 * when a body is multipart (`toFormData`, `postForm`); merging its config never touches it, as it does
 * not look into functions. So a stand-in that loads the real module on first use is indistinguishable to
 * axios. tests/lazy-form-data.test.ts holds that to account. It can go when axios loads form-data lazily.
 *
 * The stand-in is a callable, constructible proxy: calls, `new`, `instanceof` and every property read reach
 * the real constructor. Like the real module's export it is never written to; writes through it are refused.
 */

/** The real package, by a path the mapping (`^form-data$`) does not match. */
const REAL = 'form-data/lib/form_data.js';

/** A property of the stand-in that says whether the real module is loaded, without loading it. */
const LOADED = Symbol.for('aggregator-contracts.lazy-form-data.loaded');

/** form-data's export: a constructor that also works without `new`, with static properties. */
/** @typedef {(new (...args: unknown[]) => object) & ((...args: unknown[]) => object) & Record<PropertyKey, unknown>} FormDataModule */

/** @type {FormDataModule | undefined} */
let real;
const load = () => {
  real ??= /** @type {FormDataModule} */ (require(REAL));
  return real;
};

// A bound function as the target: callable and constructible like the real one, with no non-configurable own
// property (an ordinary function's `prototype` is one) that would pin what the proxy may report.
const target = /** @type {FormDataModule} */ (/** @type {unknown} */ (function FormData() {}.bind(null)));

/** @type {FormDataModule} */
const standIn = new Proxy(target, {
  get: (_target, key) => (key === LOADED ? real !== undefined : Reflect.get(load(), key)),
  has: (_target, key) => key === LOADED || Reflect.has(load(), key),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    // Reported configurable: a Proxy may not claim a non-configurable property its target lacks.
    return descriptor && { ...descriptor, configurable: true };
  },
  getPrototypeOf: () => Reflect.getPrototypeOf(load()),
  apply: (_target, thisArg, args) => Reflect.apply(load(), /** @type {unknown} */ (thisArg), args),
  // `new standIn()` builds a real instance; a subclass of the stand-in keeps its own prototype.
  construct: (_target, args, newTarget) => Reflect.construct(load(), args, newTarget === standIn ? load() : /** @type {FormDataModule} */ (newTarget)),
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});

module.exports = standIn;
