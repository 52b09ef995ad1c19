import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gitState, type GitSnapshot } from './git';
import { pactsDir } from './project';
import { ConfigError } from './script';

/**
 * Where a pact came from: the contract tests' run (ProvenanceRun below, driven by tests/contracts/contract-environment.ts) writes one record per pact it
 * vouches for, in `<pacts folder>/.provenance/`, and every pipeline step refuses a pact whose record is missing or
 * does not hold. A check against accidents (a stale, partial, foreign or hand-edited pact), not a signature.
 */
export interface ProvenanceRecord {
  writer: typeof PROVENANCE_WRITER;
  /** The pact's file name: a record copied beside another pact does not vouch for it. */
  pactFile: string;
  /** Of the pact's bytes, read after the run's last test and before it vouched. */
  sha256: string;
  run: { id: string; pid: number; startedAt: string; endedAt: string };
  /** The checkout when the run started (before the spec loaded) and when it ended. */
  start: GitSnapshot;
  end: GitSnapshot;
}

export const PROVENANCE_WRITER = 'aggregator-consumer-contracts/contract-environment';

export const provenanceFile = (pactFile: string) =>
  path.join(path.dirname(pactFile), '.provenance', path.basename(pactFile));

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function readRecord(pactFile: string): ProvenanceRecord | undefined {
  const snapshot = (value: Partial<GitSnapshot> | undefined) =>
    typeof value?.commit === 'string' &&
    /^[0-9a-f]{7,64}$/.test(value.commit) &&
    typeof value.clean === 'boolean' &&
    Array.isArray(value.changes);
  try {
    const file = provenanceFile(pactFile);
    // Only a regular file is read (a FIFO would block); the parser's message, which quotes content, is never shown.
    const record = statSync(file).isFile()
      ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<ProvenanceRecord>)
      : undefined;
    const ours =
      record?.writer === PROVENANCE_WRITER &&
      record.pactFile === path.basename(pactFile) &&
      typeof record.run?.id === 'string';
    return ours && /^[0-9a-f]{64}$/.test(record.sha256 ?? '') && snapshot(record.start) && snapshot(record.end)
      ? (record as ProvenanceRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses `bytes` (the pact `pactFile` as read) unless one clean run of the contract tests at `version` wrote and vouched for them. */
export function checkProvenance(pactFile: string, bytes: Buffer, shown: string, version: string): ProvenanceRecord {
  const rerun =
    'run the contract tests (npm test) at the commit you publish, from a clean tree, one run at a time, then run this step again.';
  if (!existsSync(provenanceFile(pactFile))) {
    throw new ConfigError(
      `${shown} has no provenance record (.provenance/): no finished, all-green run of this repo's contract tests vouched for it (one that another run interrupted does not): ${rerun}`,
    );
  }
  const record = readRecord(pactFile);
  if (!record)
    throw new ConfigError(
      `${shown} has no valid provenance record (.provenance/${path.basename(pactFile)} is not one our contract tests wrote): ${rerun}`,
    );
  const run = `run ${record.run.id.slice(0, 8)}`;
  if (sha256Of(bytes) !== record.sha256)
    throw new ConfigError(
      `${shown} changed after the contract tests' ${run} wrote it (its digest differs from its provenance record): ${rerun}`,
    );
  const { start, end } = record;
  if (start.commit !== end.commit)
    throw new ConfigError(
      `${shown} was written while HEAD moved from ${start.commit.slice(0, 12)} to ${end.commit.slice(0, 12)} (a checkout or commit during ${run}): ${rerun}`,
    );
  for (const [when, state] of [
    ['started', start],
    ['ended', end],
  ] as const) {
    if (!state.clean)
      throw new ConfigError(
        `${shown} was written by ${run}, whose working tree had uncommitted changes when it ${when} (${state.changes.slice(0, 3).join(', ')}): commit your changes, then ${rerun}`,
      );
  }
  if (!(end.commit === version || (/^[0-9a-f]{7,}$/.test(version) && end.commit.startsWith(version)))) {
    throw new ConfigError(
      `${shown} was written at commit ${end.commit.slice(0, 12)}, not at ${version.slice(0, 12)}, the version this step acts on: ${rerun}`,
    );
  }
  return record;
}

/** The claim a run lays on a pact when it starts: the id of the last run that started writing it. */
const claimFile = (pactFile: string) => `${provenanceFile(pactFile)}.run`;

/** Writes `text` to `file` atomically (temp file, then rename): a reader never sees half of it. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

/**
 * The provenance of one run of a spec file (contract-environment.ts calls it). The git state is read when the
 * run starts, before the spec loads, and again when it ends. Each run claims its pacts when it starts; a run
 * vouches only for a pact whose claim is still its own after it hashed the file, so a pact that another run of
 * the same specs started writing meanwhile (and perhaps never finished) is never vouched for.
 */
export class ProvenanceRun {
  readonly id = randomUUID();
  private readonly startedAt = new Date().toISOString();
  private readonly start: GitSnapshot | string;

  /** `pactDir`: the pacts folder, which is output and so never makes the tree dirty (PACT_DIR=out need not be ignored). */
  constructor(
    private readonly projectRoot: string,
    private readonly pactDir = pactsDir(process.env, projectRoot),
  ) {
    this.start = this.snapshot();
  }

  private snapshot(): GitSnapshot | string {
    try {
      return gitState(this.projectRoot, this.pactDir) ?? `${this.projectRoot} is not a git checkout with a commit`;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** When the spec's tests start: earlier records of its pacts are stale, and the pacts are now this run's. */
  claim(pactFiles: string[]): void {
    for (const file of pactFiles) {
      rmSync(provenanceFile(file), { force: true });
      writeAtomically(claimFile(file), this.id);
    }
  }

  /** When every test passed: a record for each pact this run still owns; returns the lines to print for the others. */
  vouch(pactFiles: string[]): string[] {
    const written = pactFiles.filter((file) => existsSync(file));
    // Most test files write no pact: git is asked only when there is one to vouch for.
    if (written.length === 0) return [];
    const end = this.snapshot();
    const notes: string[] = [];
    for (const file of written) {
      const sha256 = sha256Of(readFileSync(file));
      const claim = existsSync(claimFile(file)) ? readFileSync(claimFile(file), 'utf8') : undefined;
      const name = path.basename(file);
      if (claim !== this.id) {
        notes.push(
          `${name} not vouched for: another run of its spec started while this one ran, so the file may be that run's. Run the contract tests again, one run at a time.`,
        );
      } else if (typeof this.start === 'string' || typeof end === 'string') {
        const why = typeof this.start === 'string' ? this.start : (end as string);
        notes.push(`${name} has no provenance record, so the pipeline steps will refuse it: ${why}.`);
      } else {
        const record: ProvenanceRecord = {
          writer: PROVENANCE_WRITER,
          pactFile: name,
          sha256,
          run: { id: this.id, pid: process.pid, startedAt: this.startedAt, endedAt: new Date().toISOString() },
          start: this.start,
          end,
        };
        writeAtomically(provenanceFile(file), `${JSON.stringify(record, null, 2)}\n`);
      }
    }
    return notes;
  }

  /** When a test failed: the pact is not the whole contract, so neither it nor a record of it stays. */
  static discard(pactFiles: string[]): void {
    for (const file of pactFiles) for (const each of [file, provenanceFile(file)]) rmSync(each, { force: true });
  }
}
