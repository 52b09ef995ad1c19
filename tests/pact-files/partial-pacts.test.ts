import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import { fixtureSpec, runGeneratedSpec, type FixtureInteraction } from './run-specs';

// A spec file with a failed interaction leaves no pact (pact-js would keep the passing ones: a partial
// contract), and its failure says what the mock server saw. Fixture specs written on the fly; a file apart
// from pact-files.test.ts so Jest runs the two in parallel.

const LIST: FixtureInteraction = { description: 'a request for the list', path: '/things' };
const ONE: FixtureInteraction = { description: 'a request for one thing', path: '/things/1' };

let pactDir: string;
beforeEach(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pact-file-failures-'));
});
afterEach(() => rmSync(pactDir, { recursive: true, force: true }));

const pactOf = (consumer: string) => path.join(pactDir, pactFileName(consumer));
const runSpec = (consumer: string, interactions: FixtureInteraction[]) => runGeneratedSpec(fixtureSpec(consumer, interactions), pactDir);

describe('a pact file with a failed interaction', () => {
  it('is removed, and the failure names the test and the mismatch', async () => {
    const neverRequested = { description: 'a request the client never makes', path: '/things/2', requested: '/things/3' };

    const run = await runSpec('fixture_a', [LIST, neverRequested, ONE]);

    expect(run.code).not.toBe(0);
    expect(existsSync(pactOf('fixture_a'))).toBe(false);
    expect(run.output).toContain('fixture_a-aggregator.json removed: a test of its spec file failed');
    expect(run.output).toContain('● makes a request the client never makes');
    expect(run.output).toMatch(/expected but not received:\s+Method: GET\s+Path: \/things\/2/);
  });

  it("is removed when the client throws on the mock server's 500, and the test's own error holds the mismatch", async () => {
    const wrongPath = { description: 'a request for one thing', path: '/things/1', requested: '/things/one', clientThrows: true };

    const run = await runSpec('fixture_a', [LIST, wrongPath]);

    expect(run.code).not.toBe(0);
    expect(existsSync(pactOf('fixture_a'))).toBe(false);
    const failure = run.output.slice(run.output.indexOf('● makes a request for one thing'));
    expect(failure).toContain('Request failed with status code 500');
    expect(failure).toContain("PactMismatch: the client's requests do not match this test's interaction");
    expect(failure).toMatch(/request was not expected:\s+Method: GET\s+Path: \/things\/one/);
    // Not also printed as a console block that names no test.
    expect(run.output).not.toContain('console.log');
  });
});
