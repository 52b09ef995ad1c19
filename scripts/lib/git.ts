import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from './script';

/** `changes`: what makes the tree dirty, as file names (never escaped), untracked ones ending in " (untracked)". */
export type GitSnapshot = { commit: string; clean: boolean; changes: string[] };

/** `git -C dir <args>`'s stdout, or undefined when git fails; no git on PATH is a refusal that says so. */
export function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    throw new ConfigError(
      'git is not on PATH (slim CI images often lack it): install git in the image, so the commit and a clean tree can be checked.',
    );
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
  const status = git(
    root,
    'status',
    '--porcelain=v2',
    '--branch',
    '-z',
    '--',
    ':/',
    ...(inside ? [`:(exclude)${path.resolve(pactDir)}`] : []),
  );
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
