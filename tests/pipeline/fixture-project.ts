import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitState, writeProvenance } from '../../scripts/lib/provenance';
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

export function fixturePact(consumer: string, provider: string = PROVIDER, extra: Record<string, unknown> = {}): string {
  const pact = {
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [{ type: 'Synchronous/HTTP', description: `a request from ${consumer}`, request: { method: 'GET', path: '/things' }, response: { status: 200 } }],
    metadata: { pactSpecification: { version: '4.0' } },
    ...extra,
  };
  return `${JSON.stringify(pact, null, 2)}\n`;
}

export function createFixtureProject(options: FixtureOptions = {}): FixtureProject {
  const consumers = options.consumers ?? ['fixture_one', 'fixture_two'];
  const root = mkdtempSync(path.join(os.tmpdir(), 'pipeline-fixture-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(root, '.gitignore'), 'pacts/*.json\npacts/.provenance/\n');
  consumers.forEach((consumer, index) => {
    const folder = path.join(root, 'src', `consumer-${String.fromCharCode(97 + index)}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'pacticipant.ts'), `export const PACTICIPANT = ${JSON.stringify(consumer)};\n`);
  });
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  const pactDir = path.join(root, 'pacts');
  mkdirSync(pactDir);
  const pactOf = (consumer: string) => path.join(pactDir, `${consumer}-${PROVIDER}.json`);
  const state = gitState(root);
  if (!state) throw new Error('the fixture project is not a git checkout');
  for (const consumer of consumers) {
    writeFileSync(pactOf(consumer), fixturePact(consumer));
    if (!options.withoutProvenance) writeProvenance(pactOf(consumer), state);
  }
  return { root, pactDir, head: state.commit, pactOf, git, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

const TSX_LOADER = require.resolve('tsx');

const NPM_SCRIPTS = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The file an npm script of this repo runs, as package.json says: `publish:pact` → scripts/publish-pact.ts. */
export function scriptFile(script: string): string {
  const file = NPM_SCRIPTS[script]?.split(' ').find((word) => word.endsWith('.ts'));
  if (file === undefined) throw new Error(`package.json has no script ${script} that runs a .ts file`);
  return path.join(PROJECT_ROOT, file);
}

/**
 * Runs `scripts/<script>.ts` in `cwd` with only the environment given (plus PATH and HOME; .env is read
 * from /dev/null, so the developer's own never leaks in): `node --import tsx`, about half the cost of npm run.
 */
export function runScriptIn(cwd: string, script: string, args: string[], env: Record<string, string>): Promise<ProcessRun> {
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DOTENV_CONFIG_PATH: '/dev/null', ...env };
  const file = scriptFile(script);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX_LOADER, file, ...args], { cwd, env: childEnv }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}
