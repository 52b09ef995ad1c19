import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

// jest.config.js maps `pino-pretty` to jest/lazy-pino-pretty.js, whose prettyFactory builds the real prettifier
// when the first line is printed. pact-core's logger (which pact-js uses) builds its prettifier at load; these
// tests hold the stand-in to two promises: loading pact-js and logging below the level load nothing, and a line
// that is printed is printed as the real pino-pretty prints it (pact-file-failures.test.ts sees a real mismatch
// report come through it). They run in order: the first four need the real module not to have been touched yet.

// requireActual bypasses mocks, not moduleNameMapper: this is the module pact-core gets for `pino-pretty`.
const pinoPretty = jest.requireActual<typeof import('pino-pretty')>('pino-pretty');
const LOADED = Symbol.for('aggregator-contracts.lazy-pino-pretty.loaded');
const isLoaded = () => (pinoPretty as unknown as Record<symbol, boolean>)[LOADED];

type CoreLogger = typeof import('@pact-foundation/pact-core/dist/logger');

describe('pino-pretty through the lazy stand-in', () => {
  it('is what `pino-pretty` resolves to in our specs', () => {
    expect(require.resolve('pino-pretty')).toBe(path.resolve(__dirname, '../jest/lazy-pino-pretty.js'));
  });

  it('is not loaded by loading pact-js', () => {
    jest.requireActual('@pact-foundation/pact/src/v4');

    expect(isLoaded()).toBe(false);
  });

  it('is not loaded by a line below the log level', () => {
    const logger = jest.requireActual<CoreLogger>('@pact-foundation/pact-core/dist/logger');
    logger.setLogLevel('warn');

    logger.default.info('not printed at level warn');

    expect(isLoaded()).toBe(false);
  });

  it('builds the real prettifier, with the options it was given, on the first line', () => {
    // Options that change the output: a stand-in that dropped or mixed them up would print another line.
    const options = { colorize: false, levelFirst: true, ignore: 'pid,hostname' };
    const prettify = pinoPretty.prettyFactory(options);
    options.levelFirst = false;
    expect(isLoaded()).toBe(false);

    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 10, 26, 12), pid: 4242, hostname: 'ci', msg: 'pact@17.1.4: the mock server is slow' });
    const printed = prettify(line);

    expect(isLoaded()).toBe(true);
    const real = jest.requireActual<typeof pinoPretty>('pino-pretty/index.js');
    expect(printed).toBe(real.prettyFactory({ colorize: false, levelFirst: true, ignore: 'pid,hostname' })(line));
    expect(stripVTControlCharacters(printed)).toMatch(/^WARN \[\d\d:\d\d:\d\d\.000\]: pact@17\.1\.4: the mock server is slow\n$/);
  });

  it("is pino-pretty's own API", () => {
    // By a path the mapping does not match: the real package.
    const real = jest.requireActual<Record<string, unknown>>('pino-pretty/index.js');
    expect(Object.keys(pinoPretty).sort()).toEqual(Object.keys(real).sort());
    expect(pinoPretty.colorizerFactory).toBe(real.colorizerFactory);
    expect(pinoPretty.prettyFactory).not.toBe(real.prettyFactory);
  });
});
