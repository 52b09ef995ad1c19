import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as v4Http from '@pact-foundation/pact/src/v4/http';
import { pactFileName } from '../../src/contract-config';

/*
 * Two things every executeTest needs and pact-js 16.4 does not do; both are applied here, once, so specs
 * keep the plain given → uponReceiving → withRequest → willRespondWith → executeTest sentence.
 *
 * 1. Settle the mock server's matches. The Pact mock server records a matched request on a background
 *    task *after* it has sent the response (pact-foundation/pact-core-mock-server#13, pact-js 16.3 and
 *    later). executeTest checks the server as soon as the test function returns, so under CPU load it can
 *    report "request was expected but not received" for a request it answered: we measured it in 6 of 10
 *    runs of 300 interactions with two Jest processes at once, and 0 of 20 with this wait. Remove it when
 *    pact-js ships a core with the fix (pact-core-mock-server PR #14).
 *
 * 2. Remember failed interactions. pact-js writes each passing interaction into the pact file as it goes,
 *    so a spec file with one failing test would leave a pact without that interaction: a partial contract
 *    that `npm run publish:pact` would happily publish. The failures are recorded here, and the helper in
 *    pact.ts removes such a pact when its spec file is done.
 */

export const MAX_SETTLE_MS = 500;

type ExecuteTest = typeof v4Http.executeTest;

/** Wraps executeTest so the mock server has recorded its matches before they are checked. */
export function settlingMatches(executeTest: ExecuteTest, maxWaitMs = MAX_SETTLE_MS): ExecuteTest {
  return (pact, opts, testFn, cleanupFn) =>
    executeTest(
      pact,
      opts,
      async (mockServer) => {
        const result = await testFn(mockServer);
        const deadline = Date.now() + maxWaitMs;
        // A genuine mismatch never settles: after the wait it fails exactly as before.
        while (!pact.mockServerMatchedSuccessfully(mockServer.port) && Date.now() < deadline) await sleep(1);
        return result;
      },
      cleanupFn,
    );
}

/** Pact files (absolute paths) with at least one failed interaction in this module registry (one spec file). */
export const pactsWithFailures = new Set<string>();

/** Wraps executeTest so a failed interaction marks its pact file as incomplete. */
export function recordingFailures(executeTest: ExecuteTest): ExecuteTest {
  return async (pact, opts, testFn, cleanupFn) => {
    try {
      return await executeTest(pact, opts, testFn, cleanupFn);
    } catch (error) {
      pactsWithFailures.add(path.resolve(opts.dir ?? './pacts', pactFileName(opts.consumer, opts.provider)));
      throw error;
    }
  };
}

// Jest loads pact-js afresh for every spec file; the interaction classes call executeTest through this
// exports object, so replacing it here reaches them. The symbol keeps it from being wrapped twice.
const applied = Symbol.for('aggregator-contracts.executeTest');
const exportsObject = v4Http as typeof v4Http & { [applied]?: true };
if (!exportsObject[applied]) {
  const wrapped = recordingFailures(settlingMatches(v4Http.executeTest));
  Object.defineProperty(exportsObject, 'executeTest', { value: wrapped, writable: true, configurable: true, enumerable: true });
  Object.defineProperty(exportsObject, applied, { value: true });
}
