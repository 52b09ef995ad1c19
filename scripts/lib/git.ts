import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
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

/** `dir` with its symlinks resolved as far as it exists (a pacts folder may not exist yet). */
function realPath(dir: string): string {
  const resolved = path.resolve(dir);
  return existsSync(resolved)
    ? realpathSync(resolved)
    : path.join(realPath(path.dirname(resolved)), path.basename(resolved));
}

/** The repository's top folder, symlinks resolved, for `root`; undefined outside git. */
function topOf(root: string): string | undefined {
  const top = git(root, 'rev-parse', '--show-toplevel')?.trim();
  return top === undefined ? undefined : realPath(top);
}

/**
 * For the pipeline steps: a pacts folder outside the repository at `root` is refused in one line, since the version
 * and the clean-tree check are the repository's (the contract run may write there; a step never takes it).
 */
export function refusePactsOutside(root: string, pactDir: string): void {
  const top = topOf(root);
  if (top === undefined) return;
  const relative = path.relative(top, realPath(pactDir));
  if (relative.startsWith('..') || path.isAbsolute(relative))
    throw new ConfigError(
      `The pacts folder ${pactDir} is outside the repository at ${top}, so the clean-tree check cannot cover it: set PACT_DIR to a folder inside the repository (the default is pacts/).`,
    );
}

/**
 * The pacts folder is output, so the clean-tree check may pass over what is untracked in it, and only that: a folder
 * that holds tracked files (PACT_DIR=tests/contracts would hide edits to the specs) is refused in one line.
 */
function checkPactsFolder(root: string, pactDir: string): string | undefined {
  const top = topOf(root);
  if (top === undefined) return undefined;
  const tracked = git(root, 'ls-files', '-z', '--', realPath(pactDir))?.split('\0').filter(Boolean) ?? [];
  if (tracked.length > 0)
    throw new ConfigError(
      `The pacts folder ${path.relative(top, realPath(pactDir)) || '.'}/ holds tracked files (${tracked.slice(0, 3).join(', ')}${tracked.length > 3 ? ', …' : ''}), which the clean-tree check would have to pass over: pacts are output, so set PACT_DIR to a folder of their own (the default is pacts/, ignored by git).`,
    );
  return top;
}

/**
 * The checkout at `root` from one `git status` (porcelain v2 with NULs: names never escaped); undefined outside git or
 * before the first commit. Every tracked file counts; of untracked ones, neither ignored files nor those in the pacts
 * folder `pactDir` (output, e.g. PACT_DIR=out need not be ignored), which must hold no tracked file.
 */
export function gitState(root: string, pactDir?: string): GitSnapshot | undefined {
  const status = git(root, 'status', '--porcelain=v2', '--branch', '-z', '--', ':/');
  const entries = status?.split('\0') ?? [];
  const commit = entries.map((entry) => /^# branch\.oid ([0-9a-f]{7,64})$/.exec(entry)?.[1]).find(Boolean);
  if (commit === undefined) return undefined;
  const top = pactDir === undefined ? undefined : checkPactsFolder(root, pactDir);
  const pacts = pactDir === undefined ? undefined : realPath(pactDir);
  const inPacts = (name: string) =>
    top !== undefined && pacts !== undefined && !path.relative(pacts, path.join(top, name)).startsWith('..');
  /** An untracked entry, less what lies in the pacts folder (a folder git shows whole that holds it is listed file by file). */
  const untracked = (name: string): string[] => {
    if (inPacts(name)) return [];
    const holdsPacts =
      name.endsWith('/') &&
      top !== undefined &&
      pacts !== undefined &&
      !path.relative(path.join(top, name), pacts).startsWith('..');
    if (!holdsPacts) return [name];
    const files = git(top, 'status', '--porcelain=v2', '--untracked-files=all', '-z', '--', name)?.split('\0') ?? [];
    return files.filter((file) => file.startsWith('? ') && !inPacts(file.slice(2))).map((file) => file.slice(2));
  };
  const changes: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as string;
    const before = FIELDS_BEFORE_NAME[entry.slice(0, 2)];
    if (before !== undefined) changes.push(entry.split(' ').slice(before).join(' '));
    if (entry.startsWith('? ')) changes.push(...untracked(entry.slice(2)).map((name) => `${name} (untracked)`));
    // A rename or copy's old name is the next entry.
    if (entry.startsWith('2 ')) index += 1;
  }
  return { commit, clean: changes.length === 0, changes };
}
