import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { GitSnapshot } from './git';
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
