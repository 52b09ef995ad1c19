// @ts-check
/**
 * `pino-pretty`, loaded when the first log line is printed. jest.config.js maps the bare name `pino-pretty` here
 * (moduleNameMapper).
 *
 * Why: pact-core builds its logger when pact-js loads (`prettyFactory({ sync: true })` in its logger/pino.js) and
 * calls the function it gets back only to print a line. At our specs' log level (warn) most spec files print
 * none, yet loading pino-pretty (colorette, dateformat, fast-copy, secure-json-parse, …) costs ~14 ms in every
 * spec file. So the stand-in's `prettyFactory` returns a function that builds the real prettifier, with a copy
 * of the same options, on its first call, and uses it from then on: what is printed is the real pino-pretty's
 * output. Every other export (`build`, `PinoPretty`, `colorizerFactory`, …) loads the real module on first
 * access. Two differences, neither of which pact-core's one call (`prettyFactory({ sync: true })`) can meet:
 * options pino-pretty refuses are refused at the first line rather than at the factory call, and the stand-in
 * is an object, where the real export is also a function (`build`).
 * tests/lazy-pino-pretty.test.ts holds that to account. It can go when pact-core builds its prettifier lazily.
 */

const { lazyModule } = require('./lazy-module');

/** @typedef {(line: unknown) => string} Prettify */

const lazy = lazyModule('pino-pretty/index.js', Symbol.for('aggregator-contracts.lazy-pino-pretty.loaded'), { prettyFactory });

/**
 * pino-pretty's `prettyFactory`, deferred: the real one is called with `options` when the first line is printed.
 * @param {object} [options]
 * @returns {Prettify}
 */
function prettyFactory(options) {
  // A copy: the real factory reads its options at the call, so a caller changing them later changes nothing.
  const settings = options === undefined ? undefined : { ...options };
  /** @type {Prettify | undefined} */
  let prettify;
  return (line) => {
    prettify ??= /** @type {(options?: object) => Prettify} */ (lazy.load().prettyFactory)(settings);
    return prettify(line);
  };
}

module.exports = lazy.standIn;
