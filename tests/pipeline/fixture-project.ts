import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../scripts/lib/script';
import { gitState } from '../../scripts/lib/git';
import {
  PROVENANCE_WRITER,
  ProvenanceRun,
  provenanceFile,
  sha256Of,
  type ProvenanceRecord,
} from '../../scripts/lib/provenance';
import { PROJECT_ROOT } from '../../scripts/lib/project';
import { PROVIDER } from '../../src/shared/provider';

/**
 * A project of the pipeline scripts' shape in a temporary folder: a git repository with fixture consumers
 * (`src/consumer-<x>/pacticipant.ts`), pacts in `pacts/`, and their provenance records as the contract tests
 * would write them. The scripts read the project from their working directory, so they run against it as
 * against this repo, and no test depends on this repo's consumers or how many there are.
 */
export interface FixtureProject {
  root: string;
  pactDir: string;
  head: string;
  /** The path of the pact of `pacticipant`. */
  pactOf(pacticipant: string): string;
  git(...args: string[]): string;
  remove(): void;
}

export interface FixtureOptions {
  /** Pacticipant names; each gets a folder `src/consumer-<n>` and a pact. */
  consumers?: string[];
  /** Leave the pacts without provenance records. */
  withoutProvenance?: boolean;
}

export function fixturePact(
  consumer: string,
  provider: string = PROVIDER,
  extra: Record<string, unknown> = {},
): string {
  const pact = {
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: `a request from ${consumer}`,
        request: { method: 'GET', path: '/things' },
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
    ...extra,
  };
  return `${JSON.stringify(pact, null, 2)}\n`;
}

export function createFixtureProject(options: FixtureOptions = {}): FixtureProject {
  const consumers = options.consumers ?? ['fixture_one', 'fixture_two'];
  const root = mkdtempSync(path.join(os.tmpdir(), 'pipeline-fixture-'));
  // No automatic maintenance after a commit (one more git process each time): a fixture lives for one test.
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      [
        '-C',
        root,
        '-c',
        'user.name=Test',
        '-c',
        'user.email=test@example.com',
        '-c',
        'maintenance.auto=false',
        ...args,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(root, '.gitignore'), 'pacts/*.json\npacts/.provenance/\n');
  mkdirSync(path.join(root, 'tests', 'contracts'), { recursive: true });
  consumers.forEach((consumer, index) => {
    const folder = `consumer-${String.fromCharCode(97 + index)}`;
    mkdirSync(path.join(root, 'src', folder), { recursive: true });
    writeFileSync(
      path.join(root, 'src', folder, 'pacticipant.ts'),
      `export const PACTICIPANT = ${JSON.stringify(consumer)};\n`,
    );
    writeFileSync(path.join(root, 'tests', 'contracts', `${folder}.pact.test.ts`), "// the consumer's contract spec\n");
  });
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  const pactDir = path.join(root, 'pacts');
  mkdirSync(pactDir);
  const pactOf = (consumer: string) => path.join(pactDir, `${consumer}-${PROVIDER}.json`);
  const state = gitState(root);
  if (!state) throw new Error('the fixture project is not a git checkout');
  // Written and vouched for as a run of the contract tests would.
  const run = new ProvenanceRun(root);
  run.claim(consumers.map(pactOf));
  for (const consumer of consumers) writeFileSync(pactOf(consumer), fixturePact(consumer));
  if (!options.withoutProvenance) run.vouch(consumers.map(pactOf));
  return {
    root,
    pactDir,
    head: state.commit,
    pactOf,
    git,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

const TSX_LOADER = require.resolve('tsx');

const NPM_SCRIPTS = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The file an npm script of this repo runs, as package.json says: `publish:pact` → scripts/publish-pact.ts. */
export function scriptFile(script: string): string {
  const file = NPM_SCRIPTS[script]?.split(' ').find((word) => word.endsWith('.ts'));
  if (file === undefined) throw new Error(`package.json has no script ${script} that runs a .ts file`);
  return path.join(PROJECT_ROOT, file);
}

/**
 * What a process a test starts gets of this one's environment: PATH, HOME and Node's compile cache (set by
 * jest.config.ts, so the child reuses the code Node compiled before), and no other variable of the developer's shell.
 */
export const inheritedEnv = () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE,
});

/**
 * Runs `scripts/<script>.ts` in `cwd` with only the environment given (plus inheritedEnv; .env is read
 * from /dev/null, so the developer's own never leaks in): `node --import tsx`, about half the cost of npm run.
 */
export function runScriptIn(
  cwd: string,
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<ProcessRun> {
  const childEnv = { ...inheritedEnv(), DOTENV_CONFIG_PATH: '/dev/null', ...env };
  const file = scriptFile(script);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, file, ...args],
      { cwd, env: childEnv },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** A provenance record for `pactFile` as a run of the contract tests would write it, with `changes` to it (e.g. a dirty start). */
export function writeRecord(pactFile: string, commit: string, changes: Partial<ProvenanceRecord> = {}): void {
  const clean = { commit, clean: true, changes: [] };
  const record: ProvenanceRecord = {
    writer: PROVENANCE_WRITER,
    pactFile: path.basename(pactFile),
    sha256: sha256Of(readFileSync(pactFile)),
    run: {
      id: 'f1x7ure0-0000-4000-8000-000000000000',
      pid: 1,
      startedAt: '2026-12-04T15:00:00.000Z',
      endedAt: '2026-12-04T15:00:01.000Z',
    },
    start: clean,
    end: clean,
    ...changes,
  };
  mkdirSync(path.dirname(provenanceFile(pactFile)), { recursive: true });
  writeFileSync(provenanceFile(pactFile), JSON.stringify(record));
}

/** The one-line message of the ConfigError `action` throws; a test fails if it throws nothing or anything else. */
export function refusalOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
}
