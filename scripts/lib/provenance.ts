import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';

/**
 * Where a pact came from. The contract tests' Jest environment writes one record per pact it kept, beside
 * the pacts in `<pacts folder>/.provenance/<pact file name>` (a sub-folder: neither the pact CLI nor our
 * readers take it for a pact). The pipeline steps refuse a pact whose record is missing or does not match.
 * A record is a check against accidents (a foreign file, a hand edit, a stale or dirty run), not a signature:
 * anyone who can write the folder can write a record.
 */
export interface ProvenanceRecord {
  writer: typeof PROVENANCE_WRITER;
  /** The pact file's name, so a record copied beside another pact does not vouch for it. */
  pactFile: string;
  /** sha256 of the pact file's bytes as written. */
  sha256: string;
  /** The commit the tests ran at (`git rev-parse HEAD` of the project). */
  commit: string;
  /** Whether the working tree had no uncommitted changes (ignored files such as pacts don't count). */
  clean: boolean;
  writtenAt: string;
}

export const PROVENANCE_WRITER = 'aggregator-consumer-contracts/contract-environment';
export const PROVENANCE_FOLDER = '.provenance';

export function provenanceFile(pactFile: string): string {
  return path.join(path.dirname(pactFile), PROVENANCE_FOLDER, path.basename(pactFile));
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * The commit and cleanliness of the git checkout at `root`; undefined outside git, or before its first commit.
 * One `git status` gives both (porcelain v2: `# ` header lines, the commit in `# branch.oid`, then one line per
 * change or untracked file): every spawn from a Jest process costs ~10–40 ms, and a spec file waits for it.
 */
export function gitState(root: string): { commit: string; clean: boolean } | undefined {
  let status: string;
  try {
    status = execFileSync('git', ['-C', root, 'status', '--porcelain=v2', '--branch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  // `(initial)` before the first commit: there is no commit to name.
  const commit = /^# branch\.oid ([0-9a-f]{7,64})$/m.exec(status)?.[1];
  if (commit === undefined) return undefined;
  return { commit, clean: status.split('\n').every((line) => line === '' || line.startsWith('# ')) };
}

/** Writes the record of `pactFile` atomically (temp file, then rename): a reader never sees half a record. */
export function writeProvenance(pactFile: string, state: { commit: string; clean: boolean }, now: Date = new Date()): void {
  const record: ProvenanceRecord = {
    writer: PROVENANCE_WRITER,
    pactFile: path.basename(pactFile),
    sha256: sha256Of(pactFile),
    commit: state.commit,
    clean: state.clean,
    writtenAt: now.toISOString(),
  };
  const file = provenanceFile(pactFile);
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(partial, file);
}

export function removeProvenance(pactFile: string): void {
  rmSync(provenanceFile(pactFile), { force: true });
}

function isRecord(value: unknown, pactName: string): value is ProvenanceRecord {
  const record = value as Partial<ProvenanceRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    record.writer === PROVENANCE_WRITER &&
    record.pactFile === pactName &&
    typeof record.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(record.sha256) &&
    typeof record.commit === 'string' &&
    /^[0-9a-f]{7,64}$/.test(record.commit) &&
    typeof record.clean === 'boolean'
  );
}

/** Whether `version` names `commit`: equal, or an abbreviation of it (7+ hex digits). */
function sameCommit(version: string, commit: string): boolean {
  const wanted = version.toLowerCase();
  return wanted === commit || (/^[0-9a-f]{7,}$/.test(wanted) && commit.startsWith(wanted));
}

/**
 * Refuses (ConfigError, one line that says what to run) a pact the contract tests did not write at
 * `version` from a clean tree, or that changed since. `shown` is the pact's path as the user sees it.
 */
export function checkProvenance(pactFile: string, shown: string, version: string): void {
  const rerun = 'run the contract tests (npm test) at the commit you publish, from a clean tree, then run this step again.';
  const recordFile = provenanceFile(pactFile);
  if (!existsSync(recordFile)) {
    throw new ConfigError(`${shown} was not written by this repo's contract tests (no provenance record in ${PROVENANCE_FOLDER}/): ${rerun}`);
  }
  let record: unknown;
  try {
    // Only a regular file is read (a FIFO would block forever); anything else is no record.
    record = statSync(recordFile).isFile() ? JSON.parse(readFileSync(recordFile, 'utf8')) : undefined;
  } catch {
    // The parser's message would quote the file's content.
    record = undefined;
  }
  if (!isRecord(record, path.basename(pactFile))) {
    throw new ConfigError(`${shown} has no valid provenance record (${PROVENANCE_FOLDER}/${path.basename(pactFile)} is not one our contract tests wrote): ${rerun}`);
  }
  if (sha256Of(pactFile) !== record.sha256) {
    throw new ConfigError(`${shown} changed after the contract tests wrote it (its digest differs from its provenance record): ${rerun}`);
  }
  if (!record.clean) {
    throw new ConfigError(`${shown} was written from a working tree with uncommitted changes (at ${record.commit.slice(0, 12)}): commit your changes, then ${rerun}`);
  }
  if (!sameCommit(version, record.commit)) {
    throw new ConfigError(`${shown} was written at commit ${record.commit.slice(0, 12)}, not at ${version.slice(0, 12)}, the version this step acts on: ${rerun}`);
  }
}
