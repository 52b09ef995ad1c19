import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pactsDir } from '../../scripts/lib/project';
import { gitState, type GitSnapshot } from '../../scripts/lib/git';
import { PROVENANCE_WRITER, provenanceFile, sha256Of, type ProvenanceRecord } from '../../scripts/lib/provenance';

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
