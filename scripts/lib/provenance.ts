import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './script';

/**
 * Where a pact came from: the contract tests' run (tests/contracts/pact-provenance.ts) writes one record per pact it
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

/** `changes`: what makes the tree dirty, as file names (never escaped), untracked ones ending in " (untracked)". */
export type GitSnapshot = { commit: string; clean: boolean; changes: string[] };

export const PROVENANCE_WRITER = 'aggregator-consumer-contracts/contract-environment';

export const provenanceFile = (pactFile: string) => path.join(path.dirname(pactFile), '.provenance', path.basename(pactFile));

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `git -C dir <args>`'s stdout, or undefined when git fails; no git on PATH is a refusal that says so. */
export function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    throw new ConfigError('git is not on PATH (slim CI images often lack it): install git in the image, so the commit and a clean tree can be checked.');
  }
}

/** Porcelain v2: the fields before the name in an ordinary (1), renamed or copied (2) and unmerged (u) entry. */
const FIELDS_BEFORE_NAME: Record<string, number> = { '1 ': 8, '2 ': 9, 'u ': 10 };

/**
 * The checkout at `root` from one `git status` (porcelain v2 with NULs: names never escaped); undefined outside git or
 * before the first commit. Neither ignored files nor the pacts folder `pactDir` (output, e.g. PACT_DIR=out) count.
 */
export function gitState(root: string, pactDir?: string): GitSnapshot | undefined {
  const inside = pactDir !== undefined && !path.relative(root, pactDir).startsWith('..');
  const status = git(root, 'status', '--porcelain=v2', '--branch', '-z', '--', ':/', ...(inside ? [`:(exclude)${path.resolve(pactDir)}`] : []));
  const entries = status?.split('\0') ?? [];
  const commit = entries.map((entry) => /^# branch\.oid ([0-9a-f]{7,64})$/.exec(entry)?.[1]).find(Boolean);
  if (commit === undefined) return undefined;
  const changes: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as string;
    const before = FIELDS_BEFORE_NAME[entry.slice(0, 2)];
    if (before !== undefined) changes.push(entry.split(' ').slice(before).join(' '));
    if (entry.startsWith('? ')) changes.push(`${entry.slice(2)} (untracked)`);
    // A rename or copy's old name is the next entry.
    if (entry.startsWith('2 ')) index += 1;
  }
  return { commit, clean: changes.length === 0, changes };
}

function readRecord(pactFile: string): ProvenanceRecord | undefined {
  const snapshot = (value: Partial<GitSnapshot> | undefined) =>
    typeof value?.commit === 'string' && /^[0-9a-f]{7,64}$/.test(value.commit) && typeof value.clean === 'boolean' && Array.isArray(value.changes);
  try {
    const file = provenanceFile(pactFile);
    // Only a regular file is read (a FIFO would block); the parser's message, which quotes content, is never shown.
    const record = statSync(file).isFile() ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<ProvenanceRecord>) : undefined;
    const ours = record?.writer === PROVENANCE_WRITER && record.pactFile === path.basename(pactFile) && typeof record.run?.id === 'string';
    return ours && /^[0-9a-f]{64}$/.test(record.sha256 ?? '') && snapshot(record.start) && snapshot(record.end) ? (record as ProvenanceRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses `bytes` (the pact `pactFile` as read) unless one clean run of the contract tests at `version` wrote and vouched for them. */
export function checkProvenance(pactFile: string, bytes: Buffer, shown: string, version: string): ProvenanceRecord {
  const rerun = 'run the contract tests (npm test) at the commit you publish, from a clean tree, one run at a time, then run this step again.';
  if (!existsSync(provenanceFile(pactFile))) {
    throw new ConfigError(`${shown} has no provenance record (.provenance/): no finished, all-green run of this repo's contract tests vouched for it (one that another run interrupted does not): ${rerun}`);
  }
  const record = readRecord(pactFile);
  if (!record) throw new ConfigError(`${shown} has no valid provenance record (.provenance/${path.basename(pactFile)} is not one our contract tests wrote): ${rerun}`);
  const run = `run ${record.run.id.slice(0, 8)}`;
  if (sha256Of(bytes) !== record.sha256) throw new ConfigError(`${shown} changed after the contract tests' ${run} wrote it (its digest differs from its provenance record): ${rerun}`);
  const { start, end } = record;
  if (start.commit !== end.commit) throw new ConfigError(`${shown} was written while HEAD moved from ${start.commit.slice(0, 12)} to ${end.commit.slice(0, 12)} (a checkout or commit during ${run}): ${rerun}`);
  for (const [when, state] of [['started', start], ['ended', end]] as const) {
    if (!state.clean) throw new ConfigError(`${shown} was written by ${run}, whose working tree had uncommitted changes when it ${when} (${state.changes.slice(0, 3).join(', ')}): commit your changes, then ${rerun}`);
  }
  if (!(end.commit === version || (/^[0-9a-f]{7,}$/.test(version) && end.commit.startsWith(version)))) {
    throw new ConfigError(`${shown} was written at commit ${end.commit.slice(0, 12)}, not at ${version.slice(0, 12)}, the version this step acts on: ${rerun}`);
  }
  return record;
}
