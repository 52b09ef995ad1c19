import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import { PROVIDER } from '../../src/shared/provider';
import { fixtureSpec, runGeneratedSpec, type FixtureInteraction } from './run-specs';

// The pact files are what we publish, so how they are written is tested like any other output: stale
// interactions never survive, one consumer never touches another's file, runs are reproducible (a failed
// interaction leaving no pact is partial-pacts.test.ts). The specs here are fixtures written on the fly.

const LIST: FixtureInteraction = { description: 'a request for the list', path: '/things' };
const ONE: FixtureInteraction = { description: 'a request for one thing', path: '/things/1' };
const OTHER: FixtureInteraction = { description: 'a request for other things', path: '/others' };

let pactDir: string;
beforeEach(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pact-files-'));
});
afterEach(() => rmSync(pactDir, { recursive: true, force: true }));

const pactOf = (consumer: string) => path.join(pactDir, pactFileName(consumer));

interface PactDocument {
  consumer: { name: string };
  provider: { name: string };
  interactions: { description: string }[];
}

const readPact = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PactDocument;
const descriptions = (file: string) => readPact(file).interactions.map((interaction) => interaction.description).sort();

/** The lines of a green Jest run's output that are not Jest's own report (PASS lines and the summary). */
const notJestsReport = (output: string) =>
  output.split('\n').filter((line) => line.trim() !== '' && !/^(PASS |Test Suites: |Tests: |Snapshots: |Time: |Ran all test suites)/.test(line));

async function runSpec(consumer: string, interactions: FixtureInteraction[]) {
  const run = await runGeneratedSpec(fixtureSpec(consumer, interactions), pactDir);
  return run;
}

describe('pact files', () => {
  it("drop interactions that are no longer in the spec, and leave another consumer's pact alone", async () => {
    const stale = { consumer: { name: 'fixture_a' }, provider: { name: PROVIDER }, interactions: [{ description: 'an interaction deleted from the spec' }] };
    writeFileSync(pactOf('fixture_a'), JSON.stringify(stale));
    writeFileSync(pactOf('fixture_b'), 'fixture_b pact, not to be touched');

    const run = await runSpec('fixture_a', [LIST, ONE]);

    expect(run.code).toBe(0);
    expect(readPact(pactOf('fixture_a'))).toMatchObject({ consumer: { name: 'fixture_a' }, provider: { name: PROVIDER } });
    expect(descriptions(pactOf('fixture_a'))).toEqual([ONE.description, LIST.description].sort());
    expect(readFileSync(pactOf('fixture_b'), 'utf8')).toBe('fixture_b pact, not to be touched');
  });

  // Two Jest processes of two spec files each: more than the 30 s default on a busy 2-core machine.
  it('are byte-identical from run to run, also when two consumers run at once in two processes, and a green run says nothing else', async () => {
    const specs = [fixtureSpec('fixture_a', [LIST, ONE]), fixtureSpec('fixture_b', [OTHER])];
    // One after the other in one Jest process, then each in a Jest worker process of its own at the same time.
    const inOneProcess = await runGeneratedSpec(specs, pactDir);
    const alone = [readFileSync(pactOf('fixture_a')), readFileSync(pactOf('fixture_b'))];
    const inWorkers = await runGeneratedSpec(specs, pactDir, true);

    expect([inOneProcess.code, inWorkers.code]).toEqual([0, 0]);
    // Two spec files with mock servers in one process: the Pact core says nothing of its own (without
    // tests/contracts/pact-core-once.ts it prints a line about its tracing subscriber: pact-js #1438). In workers, as
    // `npm test` runs: no "A worker process has failed to exit gracefully" (jest.config.ts workerGracefulExitTimeout).
    expect(notJestsReport(inOneProcess.output)).toEqual([]);
    expect(notJestsReport(inWorkers.output)).toEqual([]);
    expect(readFileSync(pactOf('fixture_a')).equals(alone[0] as Buffer)).toBe(true);
    expect(readFileSync(pactOf('fixture_b')).equals(alone[1] as Buffer)).toBe(true);
  }, 90_000);
});
