import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import { fileReport, fixtureSpec, runGeneratedSpec, type FixtureInteraction } from './run-specs';
import { expectRemovalInReports, failingSpec } from './failing-spec';

// A spec file with a failed interaction leaves no pact (pact-js would keep the passing ones: a partial
// contract), and its failure says what the mock server saw. Fixture specs written on the fly, four spec files in
// one Jest run that every test below reads; a file apart from pact-files.test.ts so Jest runs the two in parallel.

const LIST: FixtureInteraction = { description: 'a request for the list', path: '/things' };
const ONE: FixtureInteraction = { description: 'a request for one thing', path: '/things/1' };
const neverRequested = { description: 'a request the client never makes', path: '/things/2', requested: '/things/3' };
const wrongPath = {
  description: 'a request for one thing',
  path: '/things/1',
  requested: '/things/one',
  clientThrows: true,
};

let pactDir: string;
let run: { code: number; output: string };

/** One Jest process, four spec files: slow on a busy machine, a limit for a hang, not a speed target. */
beforeAll(async () => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pact-file-failures-'));
  run = await runGeneratedSpec(
    [
      fixtureSpec('fixture_never_requested', [LIST, neverRequested, ONE]),
      fixtureSpec('fixture_wrong_path', [LIST, wrongPath]),
      failingSpec('fixture_removed'),
      failingSpec('fixture_removed_too'),
    ],
    pactDir,
  );
}, 120_000);
afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

const pactOf = (consumer: string) => path.join(pactDir, pactFileName(consumer));

describe('a pact file with a failed interaction', () => {
  it('is removed, and the failure names the test and the mismatch', () => {
    expect(run.code).not.toBe(0);
    expect(existsSync(pactOf('fixture_never_requested'))).toBe(false);
    expect(run.output).toContain('fixture_never_requested-aggregator.json removed: a test of its spec file failed');
    expect(fileReport(run.output, 0)).toContain('● makes a request the client never makes');
    expect(fileReport(run.output, 0)).toMatch(/expected but not received:\s+Method: GET\s+Path: \/things\/2/);
  });

  it("is removed when the client throws on the mock server's 500, and the test's own error holds the mismatch", () => {
    expect(run.code).not.toBe(0);
    expect(existsSync(pactOf('fixture_wrong_path'))).toBe(false);
    const report = fileReport(run.output, 1);
    const failure = report.slice(report.indexOf('● makes a request for one thing'));
    expect(failure).toContain('Request failed with status code 500');
    expect(failure).toContain("PactMismatch: the client's requests do not match this test's interaction");
    expect(failure).toMatch(/request was not expected:\s+Method: GET\s+Path: \/things\/one/);
    // Not also printed as a console block that names no test.
    expect(run.output).not.toContain('console.log');
  });

  it("is said to be removed with that file's report when Jest prints several files", () => {
    // Several files: Jest's default (non-verbose) reporter, which buffers each file's console until its report.
    expectRemovalInReports(run.output, ['fixture_removed', 'fixture_removed_too']);
  });
});
