import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from './errors';
import type { GitSnapshot } from './provenance';

/** `git -C dir <args>`'s stdout, or undefined when git fails; no git on PATH is a refusal that says so. */
export function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError('git is not on PATH (slim CI images often lack it): install git in the image, so the commit and a clean tree can be checked.');
    }
    return undefined;
  }
}

/** `changes`: what makes the tree dirty, as file names (never escaped), untracked ones ending in " (untracked)". */
export type GitState = GitSnapshot;

/**
 * The commit and the changes of the checkout at `root` from one `git status` (porcelain v2, NUL-separated, so
 * names are never octal-escaped); undefined outside git or before the first commit. Ignored files don't count,
 * nor does the pacts folder `pactDir` (output, such as PACT_DIR=out, not source).
 */
export function gitState(root: string, pactDir?: string): GitState | undefined {
  const inside = pactDir !== undefined && !path.relative(root, pactDir).startsWith('..');
  const status = git(root, 'status', '--porcelain=v2', '--branch', '-z', '--', ':/', ...(inside ? [`:(exclude)${path.resolve(pactDir)}`] : []));
  const entries = status?.split('\0') ?? [];
  const commit = entries.map((entry) => /^# branch\.oid ([0-9a-f]{7,64})$/.exec(entry)?.[1]).find(Boolean);
  if (commit === undefined) return undefined;
  const changes: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as string;
    const fields = entry.split(' ');
    if (entry.startsWith('? ')) changes.push(`${entry.slice(2)} (untracked)`);
    else if (entry.startsWith('1 ')) changes.push(fields.slice(8).join(' '));
    else if (entry.startsWith('u ')) changes.push(fields.slice(10).join(' '));
    else if (entry.startsWith('2 ')) {
      // A rename or copy: the new name, then its old name as the next entry.
      changes.push(fields.slice(9).join(' '));
      index += 1;
    }
  }
  return { commit, clean: changes.length === 0, changes };
}

/** One line of advice for a dirty tree: stash skips untracked files, so those need .gitignore (a CI cache such as .npm/). */
export function cleanTreeAdvice(state: GitState): string {
  const shown = state.changes.slice(0, 3).join(', ') + (state.changes.length > 3 ? `, … (${state.changes.length} in all)` : '');
  const untracked = state.changes.some((change) => change.endsWith(' (untracked)'));
  const fix = untracked
    ? 'commit or remove what you changed, and add untracked folders that CI creates (a cache such as .npm/) to .gitignore: git stash does not take untracked files'
    : 'commit or stash the changes';
  return `uncommitted changes (${shown}): ${fix}`;
}
