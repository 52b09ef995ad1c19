/**
 * npm run soak [-- --rounds 20]
 *   Every consumer's contract specs, each in its own Jest process, all at once (as CI jobs and Jest workers run them).
 * npm run stress [-- --rounds 20] [--interactions 300] [--processes 2]
 *   The mock-server race check: `processes` Jest processes at once, each running a generated spec of `interactions`
 *   interactions. pact-js 16 (pact-core 19) failed 6 rounds in 10 of this with "expected but not received";
 *   pact-core 20.1+ records a match before it answers.
 * Round after round. A round fails when a run is not green, when a pact is missing, differs from the first one written
 * (soak) or lacks an interaction (stress), or when a process we started is still running. Soak stops at the first
 * failed round and says what differed; stress counts failed rounds (its point is how often the race strikes). Exit 1
 * if a round failed.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { childEnvironment } from '../scripts/lib/child-process';
import { PROJECT_ROOT, discoverConsumers, pactFileName } from '../scripts/lib/project';
import { ConfigError, EXIT, parseFlags, runScript, wholeNumberFlag } from '../scripts/lib/script';

const USAGE =
  'npm run soak [-- --rounds <n>], or npm run stress (soak --stress) [-- --rounds <n>] [--interactions <n>] [--processes <n>]';

interface JestReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

/** A consumer's contract spec in its own Jest process: what is wrong with the run, or undefined when it is green. */
async function runSpec(spec: string, pactDir: string, reportFile: string): Promise<string | undefined> {
  const args = [
    require.resolve('jest/bin/jest'),
    '--ci',
    '--json',
    `--outputFile=${reportFile}`,
    `${spec.replace(/\./g, '\\.')}$`,
  ];
  const options = { cwd: PROJECT_ROOT, env: { ...childEnv(), PACT_DIR: pactDir } };
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, options).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as JestReport) : undefined;
  if (report?.success && report.numFailedTests === 0 && report.numPendingTests === 0 && report.numPassedTests > 0)
    return undefined;
  const detail = report
    ? `${report.numFailedTests} failed, ${report.numPendingTests} skipped, ${report.numPassedTests} passed`
    : 'no report';
  return `specs not green (${detail}):\n${`${stdout}${stderr}`.trim()}`;
}

/** What each Jest process gets of ours: the usual list, and the marker that finds whatever it leaves running. */
const childEnv = (): NodeJS.ProcessEnv => childEnvironment(process.env, { SOAK_MARKER: process.env.SOAK_MARKER });

/**
 * A spec of `count` interactions written straight with pact-js (GET /things/<n>), run by bare Jest in its own process:
 * the mock server and pact-js's merge under load, nothing of this repo's test set-up.
 */
async function runStressSpec(
  consumer: string,
  count: number,
  pactDir: string,
): Promise<{ code: number; output: string }> {
  const dir = path.join(pactDir, '..', `spec-${consumer}-${path.basename(pactDir)}`);
  mkdirSync(dir, { recursive: true });
  const spec = `const axios = require('axios');
const { PactV4 } = require('@pact-foundation/pact');
const pact = new PactV4({ consumer: ${JSON.stringify(consumer)}, provider: 'aggregator', dir: ${JSON.stringify(pactDir)}, logLevel: 'error' });
for (let n = 0; n < ${count}; n += 1) {
  it('a request for thing ' + n, () =>
    pact.addInteraction().uponReceiving('a request for thing ' + n).withRequest('GET', '/things/' + n)
      .willRespondWith(200, (response) => response.jsonBody({ ok: true }))
      .executeTest((server) => axios.get(server.url + '/things/' + n)));
}
`;
  writeFileSync(path.join(dir, 'stress.test.js'), spec);
  const config = JSON.stringify({ rootDir: dir, testEnvironment: 'node', testTimeout: 600_000 });
  const args = [require.resolve('jest/bin/jest'), '--ci', '--config', config];
  // Jest resolves the spec's packages from its own folder: it lives next to the pacts, under the project.
  const options = { cwd: PROJECT_ROOT, env: { ...childEnv(), NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') } };
  const run = await promisify(execFile)(process.execPath, args, options).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  return run;
}

/** Processes still alive that we started: they carry SOAK_MARKER in their environment (Linux /proc; empty elsewhere). */
function leftoverProcesses(): number[] {
  if (!existsSync('/proc')) return [];
  const ours = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`SOAK_MARKER=${process.env.SOAK_MARKER}`);
    } catch {
      return false; // gone, or not ours to read
    }
  };
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && ours(entry))
    .map(Number);
}

runScript(async (argv) => {
  const numbers = {
    rounds: { type: 'string' },
    interactions: { type: 'string' },
    processes: { type: 'string' },
  } as const;
  const flags = parseFlags(argv, { stress: { type: 'boolean' }, ...numbers }, USAGE);
  if (!flags.stress && (flags.interactions ?? flags.processes) !== undefined) {
    throw new ConfigError(`--interactions and --processes are for npm run stress. Usage: ${USAGE}`);
  }
  const rounds = wholeNumberFlag(flags.rounds, '--rounds', 20, 1, 1000);
  const count = wholeNumberFlag(flags.interactions, '--interactions', 300, 1, 2000);
  const processes = wholeNumberFlag(flags.processes, '--processes', 2, 1, 16);
  const generated = async (name: string, pactDir: string) => {
    const { code, output } = await runStressSpec(name, count, pactDir);
    return code === 0
      ? undefined
      : `Jest exited ${code} (${(output.match(/expected but not received/g) ?? []).length} "expected but not received")`;
  };
  const runs = flags.stress
    ? Array.from({ length: processes }, (_, index) => `stress_${index + 1}`).map((name) => ({
        name,
        run: (dir: string) => generated(name, dir),
      }))
    : discoverConsumers().map(({ pacticipant: name, spec }) => ({
        name,
        run: (dir: string, round: number) => runSpec(spec, dir, `${dir}-${name}-${round}.json`),
      }));
  const firstPacts = new Map<string, string>();
  const pactProblem = (file: string) => {
    if (!existsSync(file)) return `${path.basename(file)} was not written`;
    const text = readFileSync(file, 'utf8');
    const held = (JSON.parse(text) as { interactions: unknown[] }).interactions.length;
    if (flags.stress) return held === count ? undefined : `the pact holds ${held} of ${count} interactions`;
    if (!firstPacts.has(path.basename(file))) firstPacts.set(path.basename(file), text);
    return firstPacts.get(path.basename(file)) === text
      ? undefined
      : `${path.basename(file)} differs from the first one written`;
  };

  process.env.SOAK_MARKER = randomUUID();
  if (!existsSync('/proc')) console.log('Note: no /proc here, so leftover processes are not checked.');
  console.log(
    `${rounds} rounds of ${runs.length} Jest processes at once${flags.stress ? `, ${count} interactions each` : ''}, Node ${process.version}`,
  );
  const work = mkdtempSync(path.join(os.tmpdir(), 'aggregator-soak-'));
  const seconds: number[] = [];
  let failedRounds = 0;
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const started = Date.now();
      // Soak reruns over the pacts of the round before, as developers do (stale and partial pacts, pact-js's merge);
      // stress starts each round from an empty folder, so that a pact of the round before cannot hide a missing one.
      const pactDir = path.join(work, flags.stress ? `round-${round}` : 'pacts');
      const results = await Promise.all(runs.map(({ run }) => run(pactDir, round)));
      const problems = runs.flatMap(({ name }, index) => {
        const problem = results[index] ?? pactProblem(path.join(pactDir, pactFileName(name)));
        return problem ? [`${name}: ${problem}`] : [];
      });
      const leftovers = leftoverProcesses();
      if (leftovers.length > 0) problems.push(`processes left behind: ${leftovers.join(', ')}`);
      seconds.push((Date.now() - started) / 1000);
      if (problems.length > 0) failedRounds += 1;
      const took = seconds.at(-1)?.toFixed(1);
      const outcome =
        problems.length === 0
          ? `green in ${took} s (pacts as expected, nothing left running)`
          : `FAILED in ${took} s: ${problems.join('; ')}`;
      console.log(`  round ${round}/${rounds} ${outcome}`);
      if (failedRounds > 0 && !flags.stress) return EXIT.failed;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)] ?? 0;
  const stable = flags.stress ? '' : ', pacts stable';
  console.log(`${rounds - failedRounds}/${rounds} rounds green${stable}; median round ${median.toFixed(1)} s`);
  return failedRounds === 0 ? EXIT.ok : EXIT.failed;
});
