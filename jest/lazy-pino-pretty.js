// @ts-check
/**
 * `pino-pretty`, loaded when the first log line is printed. jest.config.js maps the bare name `pino-pretty` here
 * (moduleNameMapper).
 *
 * Why: pact-core builds its logger when pact-js loads (`prettyFactory({ sync: true })` in its logger/pino.js) and
 * calls the function it gets back only to print a line. At our specs' log level (warn) most spec files print
 * none, yet loading pino-pretty (colorette, dateformat, fast-copy, secure-json-parse, …) costs ~14 ms in every
 * spec file. So the stand-in's `prettyFactory` returns a function that builds the real prettifier, with the same
 * options, on its first call, and uses it from then on: what is printed is the real pino-pretty's output.
 * Every other export (`build`, `PinoPretty`, `colorizerFactory`, …) loads the real module on first access.
 * tests/lazy-pino-pretty.test.ts holds that to account. It can go when pact-core builds its prettifier lazily.
 */

/** The real package, by a path the mapping (`^pino-pretty$`) does not match. */
const REAL = 'pino-pretty/index.js';

/** A property of the stand-in that says whether the real module is loaded, without loading it. */
const LOADED = Symbol.for('aggregator-contracts.lazy-pino-pretty.loaded');

/** @typedef {(line: unknown) => string} Prettify */
/** @typedef {Record<PropertyKey, unknown> & { prettyFactory: (options?: object) => Prettify }} PinoPrettyModule */

/** @type {PinoPrettyModule | undefined} */
let real;
const load = () => {
  real ??= /** @type {PinoPrettyModule} */ (require(REAL));
  return real;
};

/**
 * pino-pretty's `prettyFactory`, deferred: the real one is called with `options` when the first line is printed.
 * @param {object} [options]
 * @returns {Prettify}
 */
function prettyFactory(options) {
  /** @type {Prettify | undefined} */
  let prettify;
  return (line) => {
    prettify ??= load().prettyFactory(options);
    return prettify(line);
  };
}

module.exports = new Proxy(/** @type {Record<PropertyKey, unknown>} */ ({}), {
  get: (_target, key) => {
    if (key === LOADED) return real !== undefined;
    if (key === 'prettyFactory') return prettyFactory;
    return Reflect.get(load(), key);
  },
  has: (_target, key) => key === LOADED || Reflect.has(load(), key),
  ownKeys: () => Reflect.ownKeys(load()),
  // Reported configurable: a Proxy may not claim a non-configurable property its (empty) target lacks.
  getOwnPropertyDescriptor: (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    if (key === 'prettyFactory' && descriptor) return { ...descriptor, value: prettyFactory, configurable: true };
    return descriptor && { ...descriptor, configurable: true };
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});
