import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import { provenanceFile } from '../../scripts/lib/provenance';
import { failureBlocks, pactWritingSpec, runGeneratedSpec } from './run-specs';
import { expectRemovalInReports, failingSpec } from './failing-spec';

// A contract spec that fails says why first (the mock server's verdict, expected before received, or the client's
// own complaint when the mock server had none), then its consequences, and leaves no pact: pact-js would keep the
// passing interactions, a partial contract publish:pact would happily publish. Fixture specs (failing-spec.ts), all in
// one Jest run of several files, as `npm test` prints them.

const pactDir = mkdtempSync(path.join(os.tmpdir(), 'failing-specs-'));
const pactOf = (consumer: string) => path.join(pactDir, pactFileName(consumer));

/** Spec files that end badly in the other ways Jest allows, by what follows their one passing test. */
const ENDINGS = {
  fixture_failed_test: "it('never exercised', () => { throw new Error('a failure'); });",
  fixture_load_failure: "throw new Error('the spec file does not load');",
  fixture_failed_after_all: "afterAll(() => { throw new Error('the clean-up failed'); });",
  fixture_todo: "it.todo('an interaction not written yet');",
};

let run: { code: number; output: string };

/** One Jest process, several spec files: slow on a busy machine, a limit for a hang, not a speed target. */
beforeAll(async () => {
  // What an earlier green run left: a pact (the spec that no longer loads never gets to remove it) and a record.
  writeFileSync(pactOf('fixture_load_failure'), '{"interactions": ["from an earlier run"]}');
  mkdirSync(path.dirname(provenanceFile(pactOf('fixture_reasons'))), { recursive: true });
  writeFileSync(provenanceFile(pactOf('fixture_reasons')), '{"stale": true}');
  run = await runGeneratedSpec(
    [
      failingSpec('fixture_reasons'),
      ...Object.entries(ENDINGS).map(([consumer, after]) => pactWritingSpec(pactOf(consumer), { after })),
    ],
    pactDir,
  );
}, 120_000);
afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

describe('a failing contract spec', () => {
  it("leads each failed test with its reason: the mismatch, expected before received, then the client's error", () => {
    expect(run.code).not.toBe(0);

    const [wrongPathMismatch, wrongPathClient] = failureBlocks(run.output, 'wrong path');
    expect(wrongPathMismatch?.slice(0, 3)).toEqual([
      "PactMismatch: the client's requests do not match this test's interaction:",
      '- expected GET /country, which the client never sent',
      '- received GET /countries, which the interaction does not expect',
    ]);
    // The full report follows the summary.
    expect(wrongPathMismatch?.join('\n')).toMatch(/request was not expected:\s+Method: GET\s+Path: \/countries/);
    // The client's error is that 500: one line, no stack.
    expect(wrongPathClient).toEqual(['ClientError: listCountries failed: the aggregator answered HTTP 500']);

    const [headerMismatch, headerClient] = failureBlocks(run.output, 'missing header');
    expect(headerMismatch?.slice(0, 2)).toEqual([
      "PactMismatch: the client's requests do not match this test's interaction:",
      "- GET /countries: Expected a header 'X-Request-Id' but was missing",
    ]);
    expect(headerClient).toEqual(['ClientError: listCountries failed: the aggregator answered HTTP 500']);

    // The mock server matched; the client refuses an answer without the fields it reads: its error is the reason,
    // and no mismatch of an earlier test is carried over to it.
    const fieldBlocks = failureBlocks(run.output, 'field the contract does not define');
    expect(fieldBlocks).toHaveLength(1);
    expect(fieldBlocks[0]?.[0]).toBe(
      'ClientError: getCountry failed: country field "latestTotalCases" should be a safe integer, 0 or more, got nothing',
    );

    // pact-js's own error (the client sent nothing): the same summary, with no stack into pact-js.
    const [neverMismatch] = failureBlocks(run.output, 'never exercised');
    expect(neverMismatch?.slice(0, 2)).toEqual([
      "PactMismatch: the client's requests do not match this test's interaction:",
      '- expected GET /countries, which the client never sent',
    ]);
    expect(neverMismatch?.join('\n')).not.toContain('node_modules/@pact-foundation');
  });

  it('says each mismatch once, under its test, and prints every other line of the test as it was', () => {
    // pact-js also logs the mismatch as a console block naming no test; only the test's own line is left there.
    const consoleBlocks = run.output.split(/^\s*console\.log$/m).slice(1);
    expect(consoleBlocks).toHaveLength(1);
    expect(consoleBlocks[0]).toMatch(/^\s*a line of the test\n/);
  });

  it("leaves no pact, and no provenance record, and says so last in that file's report", () => {
    expect(existsSync(pactOf('fixture_reasons'))).toBe(false);
    expect(existsSync(provenanceFile(pactOf('fixture_reasons')))).toBe(false);
    expectRemovalInReports(run.output, ['fixture_reasons', 'fixture_failed_test']);
  });

  it.each([
    ['fails to load', 'fixture_load_failure', 'its spec file did not run to the end'],
    ['has an afterAll that fails', 'fixture_failed_after_all', 'a test of its spec file failed'],
    [
      'has a test that does not run',
      'fixture_todo',
      '1 test(s) of its spec file did not run (skipped or filtered out)',
    ],
  ])('leaves no pact when it %s, and says so', (_case, consumer, why) => {
    expect(existsSync(pactOf(consumer))).toBe(false);
    expect(run.output).toContain(`${pactFileName(consumer)} removed: ${why}, so it would not be the whole contract.`);
  });
});
