import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../scripts/lib/project';

export interface ScratchCopy {
  root: string;
  /** `git <args>` in the copy. */
  git: (...args: string[]) => string;
  read: (file: string) => string;
  write: (file: string, text: string) => void;
}

/**
 * This checkout's working tree (what git would commit: tracked or new, not ignored) in a temp folder with
 * node_modules linked, committed on `main` in a repository of its own. `exclude`: path prefixes left out. The recipes
 * test and the e2e loop both start from one.
 */
export function createScratchCopy(exclude: readonly string[] = [], prefix = 'scratch-copy'): ScratchCopy {
  const root = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const files = execFileSync(
    'git',
    ['-C', PROJECT_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter((file) => file !== '' && !exclude.some((prefix) => file.startsWith(prefix)))
    .filter((file) => existsSync(path.join(PROJECT_ROOT, file)));
  for (const file of new Set(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      [
        '-C',
        root,
        '-c',
        'user.name=Scratch',
        '-c',
        'user.email=scratch@example.com',
        '-c',
        'commit.gpgsign=false',
        '-c',
        'maintenance.auto=false',
        ...args,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'The project as it is in the working tree');
  return {
    root,
    git,
    read: (file) => readFileSync(path.join(root, file), 'utf8'),
    write: (file, text) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    },
  };
}
