import { stripVTControlCharacters } from 'node:util';

/**
 * pact-js reports the mock server's mismatches in two ways. When the test function returns, they are the
 * test's error. When the client throws first (it usually does: the mock server answers a request it cannot
 * match with HTTP 500), pact-js rethrows the client's error and only logs the mismatches to the console, in
 * a block above the failures that does not say which test it belongs to. This takes that log line back, so
 * the test environment can put it first among the failing test's own errors, with a summary that leads.
 */

/** How pact-js's logger (pino-pretty through console.log) prints it: `[time] ERROR (pid): pact@x.y.z: Test failed …`. */
const LOGGED_MISMATCH = /^\[[^\]]*\] ERROR \(\d+\): pact@[\w.-]+: (Test failed for the following reasons:[\s\S]*)$/;
/** How pact-js words the report, logged or thrown (src/v3/display.js, generateMockServerError). */
const REPORT_START = 'Test failed for the following reasons:';

/** The mismatch report in a console.log call's arguments, or undefined for any other output. */
export function mismatchReportIn(args: readonly unknown[]): string | undefined {
  if (args.length !== 1 || typeof args[0] !== 'string') return undefined;
  return LOGGED_MISMATCH.exec(stripVTControlCharacters(args[0]).trim())?.[1];
}

/**
 * The report when `error` is pact-js's own failure (the test returned, the mock server did not match). Not
 * `instanceof Error`: the error comes from the test file's realm, whose Error is not the environment's.
 */
export function mismatchReportOf(error: unknown): string | undefined {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message.startsWith(REPORT_START) ? message : undefined;
}

/** One item of the report: which request, and what the mock server said about it. */
const ITEM =
  /^\s*\d+\) The following request (was incorrect|was not expected|was expected but not received):([\s\S]*)$/;
/** Longest line of the summary: a mismatch can quote a whole body. */
const SUMMARY_LINE_MAX = 240;

const bounded = (line: string) => (line.length > SUMMARY_LINE_MAX ? `${line.slice(0, SUMMARY_LINE_MAX - 1)}…` : line);

/** `GET /path` from an item's text, in either of pact-js's two layouts. */
function requestLine(text: string): string {
  const method = /Method: (\S+)/.exec(text)?.[1];
  const path = /Path: (\S+)/.exec(text)?.[1];
  if (method && path) return `${method} ${path}`;
  return /^\s*([A-Z]+ \S+)/m.exec(text)?.[1] ?? 'a request';
}

/**
 * The report as a few lines that say, per problem, what the interaction expected against what the client
 * sent. Anything it cannot read stays in the full report under it.
 */
export function mismatchSummary(report: string): string[] {
  const items = report.split(/\n(?=\s*\d+\) The following request )/).slice(1);
  const lines = items.flatMap((item) => {
    const [, kind, rest = ''] = ITEM.exec(item) ?? [];
    const request = requestLine(rest);
    if (kind === 'was not expected') return [`received ${request}, which the interaction does not expect`];
    if (kind === 'was expected but not received') return [`expected ${request}, which the client never sent`];
    if (kind === 'was incorrect') {
      const details = [...rest.matchAll(/^\s*1\.\d+ (.+)$/gm)].map((match) => `${request}: ${match[1]?.trim() ?? ''}`);
      return details.length > 0 ? details : [`${request} differs from the interaction`];
    }
    return [];
  });
  // What the interaction expected before what the client sent, as a diff reads.
  return [
    ...lines.filter((line) => line.startsWith('expected ')),
    ...lines.filter((line) => !line.startsWith('expected ')),
  ].map(bounded);
}

/**
 * The mock server's verdict as an error that leads the test's failures: a summary, then the full report,
 * without a stack trace into pact-js. `clientFailed`: the client threw too (its error follows this one).
 */
export function mismatchError(report: string, clientFailed: boolean): Error {
  const summary = mismatchSummary(report);
  const lead = summary.length > 0 ? summary.map((line) => `  - ${line}`).join('\n') : '  (see the report below)';
  const consequence = clientFailed
    ? "\nThe mock server answers a request it cannot match with HTTP 500: the client's error that follows is that answer."
    : '';
  const error = new Error(
    `the client's requests do not match this test's interaction:\n${lead}${consequence}\n\n${report}`,
  );
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
  return new Proxy(testConsole, {
    get: (target, property, receiver): unknown => (property === 'log' ? log : Reflect.get(target, property, receiver)),
  });
}
