import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failureBlocks, runGeneratedSpec } from './run-specs';
import { expectRemovalInReports, failingSpec } from './failing-spec';

// What a developer reads first when a contract spec fails: the reason (the mock server's verdict, or the client's
// own complaint when the mock server had none), then its consequences. Real failures of consumer-a's client against
// the Pact mock server, in a throwaway spec written as ours are (failing-spec.ts), run by Jest as a user runs it.
// The same spec among others in one Jest run: partial-pacts.test.ts.

/** The test starts a Jest process of its own, slow on a busy machine: a limit for a hang, not a speed target. */
const OWN_JEST_RUN = 120_000;

let pactDir: string;
beforeEach(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'failure-reports-'));
});
afterEach(() => rmSync(pactDir, { recursive: true, force: true }));

describe('a failing contract spec', () => {
  it(
    "leads each failed test with its reason (the mismatch, expected before received, then the client's error) and ends with the pact's removal",
    async () => {
      const run = await runGeneratedSpec(failingSpec('fixture_reasons'), pactDir);

      expect(run.code).not.toBe(0);

      const [wrongPathMismatch, wrongPathClient] = failureBlocks(run.output, 'wrong path');
      expect(wrongPathMismatch?.slice(0, 3)).toEqual([
        "PactMismatch: the client's requests do not match this test's interaction:",
        '- expected GET /country, which the client never sent',
        '- received GET /countries, which the interaction does not expect',
      ]);
      expect(wrongPathClient?.[0]).toBe('AggregatorError: listCountries failed: the aggregator answered HTTP 500');

      const [headerMismatch, headerClient] = failureBlocks(run.output, 'missing header');
      expect(headerMismatch?.slice(0, 2)).toEqual([
        "PactMismatch: the client's requests do not match this test's interaction:",
        "- GET /countries: Expected a header 'X-Request-Id' but was missing",
      ]);
      expect(headerClient?.[0]).toBe('AggregatorError: listCountries failed: the aggregator answered HTTP 500');

      // The mock server matched; the client refuses an answer without the fields it reads: its error is the reason.
      const fieldBlocks = failureBlocks(run.output, 'field the contract does not define');
      expect(fieldBlocks).toHaveLength(1);
      expect(fieldBlocks[0]?.[0]).toBe(
        'AggregatorError: getCountry failed: country field "latestTotalCases" should be a safe integer, 0 or more, got nothing',
      );

      const [neverMismatch] = failureBlocks(run.output, 'never exercised');
      expect(neverMismatch?.slice(0, 2)).toEqual([
        "PactMismatch: the client's requests do not match this test's interaction:",
        '- expected GET /countries, which the client never sent',
      ]);
      // Once, under its test: not also as a console block that names no test.
      expect(run.output).not.toContain('console.log');
      // One file: Jest's verbose reporter, where a line on stderr would print above the FAIL header.
      expectRemovalInReports(run.output, ['fixture_reasons']);
    },
    OWN_JEST_RUN,
  );
});
