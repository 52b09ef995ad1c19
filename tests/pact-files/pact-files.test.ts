import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import {
  PROVENANCE_WRITER,
  checkProvenance,
  provenanceFile,
  sha256Of,
  type ProvenanceRecord,
} from '../../scripts/lib/provenance';
import { ConfigError } from '../../scripts/lib/script';
import { PROVIDER } from '../../src/shared/provider';
import { PROJECT_ROOT, fixtureSpec, pactWritingSpec, runGeneratedSpec, type FixtureInteraction } from './run-specs';

// The pact files are what we publish, so how a green run writes them is tested like any other output: stale
// interactions never survive, one consumer never touches another's file, runs are reproducible and quiet, and each
// pact gets a provenance record that the pipeline steps check (a failing spec leaving no pact: failing-specs.test.ts).
// The specs are fixtures written on the fly; those about provenance run as projects of their own git checkouts.

const LIST: FixtureInteraction = { description: 'a request for the list', path: '/things' };
const ONE: FixtureInteraction = { description: 'a request for one thing', path: '/things/1' };
const OTHER: FixtureInteraction = { description: 'a request for other things', path: '/others' };

const work = mkdtempSync(path.join(os.tmpdir(), 'pact-files-'));
const pactDir = path.join(work, 'pacts');
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

/** A git checkout with one commit (client.ts); no automatic maintenance (one more git process per commit). */
const gitIn = (root: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-C', root, '-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'maintenance.auto=false', ...args],
    { encoding: 'utf8' },
  ).trim();
function checkout(name: string, commit = true): string {
  const root = path.join(work, name);
  mkdirSync(root);
  gitIn(root, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(root, 'client.ts'), 'committed');
  if (commit) {
    gitIn(root, 'add', 'client.ts');
    gitIn(root, 'commit', '-q', '-m', 'client');
  }
  return root;
}
/** Source of a git command the spec runs in `root` while its test runs. */
const gitDuring = (root: string, ...args: string[]) =>
  `require('node:child_process').execFileSync('git', ${JSON.stringify(['-C', root, '-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args])});`;

const recordOf = (consumer: string) =>
  JSON.parse(readFileSync(provenanceFile(pactOf(consumer)), 'utf8')) as ProvenanceRecord;
/** What the pipeline steps say of the pact of `consumer` at `version`: 'accepted' or their refusal. */
function pipelineVerdict(consumer: string, version: string): string {
  try {
    checkProvenance(pactOf(consumer), readFileSync(pactOf(consumer)), pactFileName(consumer), version);
    return 'accepted';
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

const UNTOUCHED = 'fixture_c pact, not to be touched';
let inOneProcess: { code: number; output: string };
let inWorkers: { code: number; output: string };
/** The pacts of fixture_a and fixture_b as the first run left them. */
let alone: Buffer[];
const roots: Record<string, string> = {};
const heads: Record<string, string> = {};

// Every test below reads the same two Jest runs: the first, in one Jest process, runs two spec files of this project
// and, as projects of their own, the provenance fixtures in checkouts each test's case prepared; the second runs the
// two spec files again, each in a Jest worker of its own at the same time, as `npm test` runs spec files. Before them,
// the folder holds a stale pact of fixture_a and the pact of fixture_c, a consumer neither spec is.
beforeAll(async () => {
  mkdirSync(pactDir);
  const stale = {
    consumer: { name: 'fixture_a' },
    provider: { name: PROVIDER },
    interactions: [{ description: 'an interaction deleted from the spec' }],
  };
  writeFileSync(pactOf('fixture_a'), JSON.stringify(stale));
  writeFileSync(pactOf('fixture_c'), UNTOUCHED);
  // The Pact core's telemetry: what the specs' environment holds, told by a spec that records it.
  const telemetry = `require('node:fs').writeFileSync(${JSON.stringify(path.join(work, 'telemetry'))}, String(process.env.PACT_DO_NOT_TRACK));`;
  const specs = [fixtureSpec('fixture_a', [LIST, ONE]), `${fixtureSpec('fixture_b', [OTHER])}${telemetry}\n`];

  roots.clean = checkout('clean');
  roots.dirty = checkout('dirty');
  writeFileSync(path.join(roots.dirty, 'client.ts'), 'changed');
  writeFileSync(path.join(roots.dirty, 'unterstützt.ts'), 'new');
  roots.uncommitted = checkout('uncommitted', false);
  // Dirty when the run starts, stashed before it ends.
  roots.stashed = checkout('stashed');
  writeFileSync(path.join(roots.stashed, 'client.ts'), 'an interaction deleted from the spec');
  // On another commit when the run starts, back on main before it ends.
  roots.moved = checkout('moved');
  heads.main = gitIn(roots.moved, 'rev-parse', 'HEAD');
  gitIn(roots.moved, 'checkout', '-q', '-b', 'next');
  gitIn(roots.moved, 'commit', '-q', '--allow-empty', '-m', 'next');
  for (const name of ['clean', 'dirty', 'stashed']) heads[name] = gitIn(roots[name] as string, 'rev-parse', 'HEAD');

  inOneProcess = await runGeneratedSpec(specs, pactDir, {
    elsewhere: [
      {
        rootDir: roots.clean,
        sources: [
          pactWritingSpec(pactOf('fixture_clean')),
          // Another run of the same spec starts while this one runs (and is then interrupted): it claims the pact
          // as that run's environment would, and writes its first interaction.
          pactWritingSpec(pactOf('fixture_raced'), {
            during: `new (require(${JSON.stringify(path.join(PROJECT_ROOT, 'scripts', 'lib', 'provenance'))}).ProvenanceRun)(${JSON.stringify(roots.clean)}).claim([${JSON.stringify(pactOf('fixture_raced'))}]);
  writeFileSync(${JSON.stringify(pactOf('fixture_raced'))}, '{"interactions": ["one"]}');`,
          }),
        ],
      },
      { rootDir: roots.dirty, sources: [pactWritingSpec(pactOf('fixture_dirty'))] },
      { rootDir: roots.uncommitted, sources: [pactWritingSpec(pactOf('fixture_uncommitted'))] },
      {
        rootDir: roots.stashed,
        sources: [pactWritingSpec(pactOf('fixture_stashed'), { during: gitDuring(roots.stashed, 'stash', '-q') })],
      },
      {
        rootDir: roots.moved,
        sources: [
          pactWritingSpec(pactOf('fixture_moved'), { during: gitDuring(roots.moved, 'checkout', '-q', 'main') }),
        ],
      },
    ],
  });
  alone = [readFileSync(pactOf('fixture_a')), readFileSync(pactOf('fixture_b'))];
  inWorkers = await runGeneratedSpec(specs, pactDir, { inWorkers: true });
}, 90_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
    // Several spec files with mock servers in one process: the Pact core says nothing of its own (without
    // tests/contracts/pact-core-once.ts it prints a line about its tracing subscriber: pact-js #1438). The only lines
    // are the two notes of the provenance fixtures that get no record (below). In workers, as `npm test` runs: no
    // "A worker process has failed to exit gracefully" (jest.config.ts workerGracefulExitTimeout).
    expect(notJestsReport(inOneProcess.output).sort()).toEqual([
      `${pactFileName('fixture_raced')} not vouched for: another run of its spec started while this one ran, so the file may be that run's. Run the contract tests again, one run at a time.`,
      expect.stringMatching(
        /^fixture_uncommitted-aggregator\.json has no provenance record, so the pipeline steps will refuse it: /,
      ),
    ]);
    expect(notJestsReport(inWorkers.output)).toEqual([]);
    expect(readFileSync(pactOf('fixture_a')).equals(alone[0] as Buffer)).toBe(true);
    expect(readFileSync(pactOf('fixture_b')).equals(alone[1] as Buffer)).toBe(true);
  });

  it('are written with the Pact core telemetry off', () => {
    expect(readFileSync(path.join(work, 'telemetry'), 'utf8')).toBe('true');
  });
});

describe('provenance records', () => {
  it('name the run, the git state at its start and end, and the digest of the pact it wrote; the pipeline accepts it', () => {
    const clean = { commit: heads.clean, clean: true, changes: [] };

    expect(recordOf('fixture_clean')).toMatchObject({
      writer: PROVENANCE_WRITER,
      pactFile: pactFileName('fixture_clean'),
      start: clean,
      end: clean,
      sha256: sha256Of(readFileSync(pactOf('fixture_clean'))),
      run: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string },
    });
    // At its commit, also named by an abbreviated id.
    expect(pipelineVerdict('fixture_clean', heads.clean as string)).toBe('accepted');
    expect(pipelineVerdict('fixture_clean', heads.clean?.slice(0, 12) as string)).toBe('accepted');
  });

  it('record a dirty tree as not clean, naming each change without escaping it', () => {
    expect(recordOf('fixture_dirty').end).toEqual({
      commit: heads.dirty,
      clean: false,
      changes: ['client.ts', 'unterstützt.ts (untracked)'],
    });
  });

  it('are not written in a repository without a commit (the note above says so)', () => {
    expect(existsSync(pactOf('fixture_uncommitted'))).toBe(true);
    expect(existsSync(provenanceFile(pactOf('fixture_uncommitted')))).toBe(false);
  });

  it('read the git state at both ends: a tree dirty when the run started, stashed before it ended, is refused', () => {
    expect(pipelineVerdict('fixture_stashed', heads.stashed as string)).toMatch(
      /^fixture_stashed-aggregator\.json was written by run [0-9a-f]{8}, whose working tree had uncommitted changes when it started \(client\.ts\): commit your changes/,
    );
  });

  it('a checkout of another commit during the run is refused', () => {
    expect(pipelineVerdict('fixture_moved', heads.main as string)).toMatch(
      new RegExp(
        `was written while HEAD moved from [0-9a-f]{12} to ${heads.main?.slice(0, 12)} \\(a checkout or commit during run`,
      ),
    );
  });

  it("a run finishing after another run of its spec started does not vouch for that run's (perhaps partial) pact", () => {
    // No record (the note above says why), which the pipeline steps refuse (tests/pipeline/pipeline-input.test.ts).
    expect(existsSync(pactOf('fixture_raced'))).toBe(true);
    expect(existsSync(provenanceFile(pactOf('fixture_raced')))).toBe(false);
  });
});
