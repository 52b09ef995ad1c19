import { stripVTControlCharacters } from 'node:util';

/**
 * pact-js reports the mock server's mismatches in two ways. When the test function returns, they are the
 * test's error. When the client throws first (it usually does: the mock server answers a request it cannot
 * match with HTTP 500), pact-js rethrows the client's error and only logs the mismatches to the console, in
 * a block above the failures that does not say which test it belongs to. This takes that log line back, so
 * the test environment can add it to the failing test's own errors.
 */

/** How pact-js's logger (pino-pretty through console.log) prints it: `[time] ERROR (pid): pact@x.y.z: Test failed …`. */
const LOGGED_MISMATCH = /^\[[^\]]*\] ERROR \(\d+\): pact@[\w.-]+: (Test failed for the following reasons:[\s\S]*)$/;

/** The mismatch report in a console.log call's arguments, or undefined for any other output. */
export function mismatchReportIn(args: readonly unknown[]): string | undefined {
  if (args.length !== 1 || typeof args[0] !== 'string') return undefined;
  return LOGGED_MISMATCH.exec(stripVTControlCharacters(args[0]).trim())?.[1];
}

/** An error that reads as the mock server's verdict, without a stack trace into pact-js. */
export function mismatchError(report: string): Error {
  const error = new Error(`The Pact mock server saw a mismatch (the client's error above is its consequence).\n${report}`);
  error.name = 'PactMismatch';
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/**
 * `console` with its `log` taking mismatch reports aside (to `onReport`) instead of printing them; every other
 * call goes through unchanged. A proxy: the test file's console object itself is not modified.
 */
export function consoleTakingMismatches(testConsole: Console, onReport: (report: string) => void): Console {
  const log = (...args: unknown[]): void => {
    const report = mismatchReportIn(args);
    if (report === undefined) testConsole.log(...args);
    else onReport(report);
  };
  return new Proxy(testConsole, { get: (target, property, receiver): unknown => (property === 'log' ? log : Reflect.get(target, property, receiver)) });
}
