/**
 * A throwaway PostgreSQL server (Debian's `postgresql` package) on 127.0.0.1, random port and password, in a
 * temp folder. As root it runs as the `postgres` user, since initdb refuses root.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './real-broker';

export interface ThrowawayPostgres {
  /** postgres://broker:<password>@127.0.0.1:<port>/postgres */
  url: string;
  password: string;
  stop(): void;
}

const PG_ROOT = '/usr/lib/postgresql';

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const version = existsSync(PG_ROOT) ? readdirSync(PG_ROOT).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version)
    throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run does it in CI).');
  const bin = (name: string) => path.join(PG_ROOT, version, 'bin', name);
  const root = process.getuid?.() === 0;
  const as = (command: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' })
      : execFileSync(command, args, { stdio: 'pipe' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-postgres-'));
  if (root) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 0);
  const password = randomBytes(12).toString('hex');
  writeFileSync(path.join(dir, 'pw'), password, { mode: 0o644 });
  const data = path.join(dir, 'data');
  as(bin('initdb'), [
    '-D',
    data,
    '-U',
    'broker',
    `--pwfile=${path.join(dir, 'pw')}`,
    '-A',
    'scram-sha-256',
    '--no-sync',
  ]);
  const port = await freePort();
  as(bin('pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
    'start',
  ]);
  return {
    url: `postgres://broker:${password}@127.0.0.1:${port}/postgres`,
    password,
    stop: () => {
      as(bin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
