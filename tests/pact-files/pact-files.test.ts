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
const pactOf = (consumer: string) => path.join(pactDir, pactFileName(consumer));

interface PactDocument {
  consumer: { name: string };
  provider: { name: string };
  interactions: { description: string }[];
}

const parsePact = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as PactDocument;
const descriptions = (bytes: Buffer) =>
  parsePact(bytes)
    .interactions.map((interaction) => interaction.description)
    .sort();

/** The lines of a green Jest run's output that are not Jest's own report (PASS lines and the summary). */
const notJestsReport = (output: string) =>
  output
    .split('\n')
    .filter(
      (line) =>
        line.trim() !== '' && !/^(PASS |Test Suites: |Tests: |Snapshots: |Time: |Ran all test suites)/.test(line),
    );

const UNTOUCHED = 'fixture_c pact, not to be touched';
let inOneProcess: { code: number; output: string };
let inWorkers: { code: number; output: string };
/** The pacts of fixture_a and fixture_b as the first run left them. */
let alone: Buffer[];

// Every test below reads the same two Jest runs of two spec files: one after the other in one Jest process, then
// each in a Jest worker process of its own at the same time, as `npm test` runs spec files. Before them, the folder
// holds a stale pact of fixture_a and the pact of fixture_c, a consumer neither spec is. Three Jest processes: more
// than the 30 s default on a busy 2-core machine.
beforeAll(async () => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pact-files-'));
  const stale = {
    consumer: { name: 'fixture_a' },
    provider: { name: PROVIDER },
    interactions: [{ description: 'an interaction deleted from the spec' }],
  };
  writeFileSync(pactOf('fixture_a'), JSON.stringify(stale));
  writeFileSync(pactOf('fixture_c'), UNTOUCHED);
  const specs = [fixtureSpec('fixture_a', [LIST, ONE]), fixtureSpec('fixture_b', [OTHER])];

  inOneProcess = await runGeneratedSpec(specs, pactDir);
  alone = [readFileSync(pactOf('fixture_a')), readFileSync(pactOf('fixture_b'))];
  inWorkers = await runGeneratedSpec(specs, pactDir, { inWorkers: true });
}, 90_000);
afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

describe('pact files', () => {
  it("drop interactions that are no longer in the spec, and leave another consumer's pact alone", () => {
    expect(inOneProcess.code).toBe(0);
    expect(parsePact(alone[0] as Buffer)).toMatchObject({
      consumer: { name: 'fixture_a' },
      provider: { name: PROVIDER },
    });
    expect(descriptions(alone[0] as Buffer)).toEqual([ONE.description, LIST.description].sort());
    expect(readFileSync(pactOf('fixture_c'), 'utf8')).toBe(UNTOUCHED);
  });

  it('are byte-identical from run to run, also when two consumers run at once in two processes, and a green run says nothing else', () => {
    expect([inOneProcess.code, inWorkers.code]).toEqual([0, 0]);
    // Two spec files with mock servers in one process: the Pact core says nothing of its own (without
    // tests/contracts/pact-core-once.ts it prints a line about its tracing subscriber: pact-js #1438). In workers, as
    // `npm test` runs: no "A worker process has failed to exit gracefully" (jest.config.ts workerGracefulExitTimeout).
    expect(notJestsReport(inOneProcess.output)).toEqual([]);
    expect(notJestsReport(inWorkers.output)).toEqual([]);
    expect(readFileSync(pactOf('fixture_a')).equals(alone[0] as Buffer)).toBe(true);
    expect(readFileSync(pactOf('fixture_b')).equals(alone[1] as Buffer)).toBe(true);
  });
});
