import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverConsumers } from '../../scripts/lib/project';
import { writeProvenance } from '../../scripts/lib/provenance';
import type { ScriptRun } from './run-npm-script';
import { runNpmScript } from './run-npm-script';

/** Distinctive secrets: if any form of them shows up in output, a test sees it. */
export const USERNAME = 'pact-publisher';
export const PASSWORD = 'Pa55-w0rd-that-must-never-print';
export const TOKEN = 'bearer-token-that-must-never-print';

const SECRET_FORMS = [PASSWORD, TOKEN, Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'), encodeURIComponent(PASSWORD)];

/** Runs `npm run <script>` and checks, whatever the case, that no secret appears in anything it printed. */
export async function runBrokerScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptRun> {
  const run = await runNpmScript(script, args, env);
  for (const secret of SECRET_FORMS) {
    if (run.output.includes(secret)) throw new Error(`npm run ${script} printed a secret:\n${run.output}`);
  }
  return run;
}

export const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));

/** A small but valid V4 pact, for cases that are about the script, not the contracts. */
export function writeMinimalPact(dir: string, consumer = 'consumer_a', provider = 'aggregator', description = 'a request for all countries'): string {
  const file = path.join(dir, `${consumer}-${provider}.json`);
  const pact = {
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [{ type: 'Synchronous/HTTP', description, request: { method: 'GET', path: '/countries' }, response: { status: 200 } }],
    metadata: { pactSpecification: { version: '4.0' } },
  };
  writeFileSync(file, `${JSON.stringify(pact, null, 2)}\n`);
  return file;
}

/** A minimal pact for each consumer of the project. */
export function writeMinimalPacts(dir: string): void {
  for (const consumer of discoverConsumers()) writeMinimalPact(dir, consumer.pacticipant);
}

/** A git repository with one commit on `main`, whose pacts/ folder is ignored, as in this project. */
export function gitRepoWithPacts(): { root: string; pactDir: string; head: string } {
  const root = tempDir('consumer-repo');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(root, '.gitignore'), 'pacts/*.json\npacts/.provenance/\n');
  writeFileSync(path.join(root, 'client.ts'), 'export const version = 1;\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  const pactDir = path.join(root, 'pacts');
  mkdirSync(pactDir);
  return { root, pactDir, head: git('rev-parse', 'HEAD') };
}

/** Provenance records for every pact in `dir`, as if the contract tests had written them at `commit` from a clean tree. */
export function vouchForPacts(dir: string, commit: string): void {
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.json'))) writeProvenance(path.join(dir, name), { commit, clean: true });
}
