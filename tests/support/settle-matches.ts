import { setTimeout as sleep } from 'node:timers/promises';
import * as v4Http from '@pact-foundation/pact/src/v4/http';

/*
 * Works around a race in the Pact mock server (pact-foundation/pact-core-mock-server#13; pact-js 16.3 and
 * later, through pact-core 19): the server records a matched request on a background task *after* it has
 * sent the response. executeTest checks the server as soon as the test function returns, so under CPU load
 * it can report "request was expected but not received" for a request it answered. We measured it in
 * 6 of 10 runs of 300 interactions with two Jest processes at once (`npm run bench` hit it too).
 *
 * The fix is to let the test function return only once the server says every interaction matched, or
 * after a short wait: a genuine mismatch then fails exactly as before, a moment later.
 * Remove this file when pact-js ships a core with the fix (pact-core-mock-server PR #14).
 */

export const MAX_SETTLE_MS = 500;

type ExecuteTest = typeof v4Http.executeTest;

/** Wraps pact-js's executeTest so the mock server has recorded its matches before they are checked. */
export function settlingMatches(executeTest: ExecuteTest, maxWaitMs = MAX_SETTLE_MS): ExecuteTest {
  return (pact, opts, testFn, cleanupFn) =>
    executeTest(
      pact,
      opts,
      async (mockServer) => {
        const result = await testFn(mockServer);
        const deadline = Date.now() + maxWaitMs;
        while (!pact.mockServerMatchedSuccessfully(mockServer.port) && Date.now() < deadline) await sleep(1);
        return result;
      },
      cleanupFn,
    );
}

/** Applied once per module registry (Jest loads pact-js afresh for every spec file). */
const applied = Symbol.for('aggregator-contracts.settlingMatches');
const exportsObject = v4Http as typeof v4Http & { [applied]?: true };
if (!exportsObject[applied]) {
  // The interaction classes call executeTest through this exports object, so replacing it here reaches them.
  Object.defineProperty(exportsObject, 'executeTest', { value: settlingMatches(v4Http.executeTest), writable: true, configurable: true, enumerable: true });
  Object.defineProperty(exportsObject, applied, { value: true });
}
