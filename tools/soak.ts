/**
 * npm run soak [-- --rounds 20]
 * Runs every consumer's contract specs, all at once, round after round, and stops at the first round
 * that is not green, that writes different pacts than round 1, or that leaves a process behind.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, discoverConsumers } from '../scripts/lib/project';
import { EXIT, parseFlags, runScript, wholeNumberFlag } from '../scripts/lib/script';

const JEST = require.resolve('jest/bin/jest');
const USAGE = 'npm run soak [-- --rounds <n>]';
const CONSUMERS = discoverConsumers();

interface JestReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

/** One consumer's specs in their own Jest process; every process we start carries `marker` in its environment. */
function runSpecs(spec: string, reportFile: string, pactDir: string, marker: string): Promise<{ report?: JestReport; output: string }> {
  return new Promise((resolve) => {
    const args = [JEST, '--ci', '--json', `--outputFile=${reportFile}`, spec];
    execFile(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, PACT_DIR: pactDir, SOAK_MARKER: marker } }, (_error, stdout, stderr) => {
      const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as JestReport) : undefined;
      resolve({ report, output: `${stdout}${stderr}` });
    });
  });
}

/** Processes still alive that we started (Linux /proc; empty elsewhere). */
function leftoverProcesses(marker: string): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`SOAK_MARKER=${marker}`);
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

runScript(async (argv) => {
  const flags = parseFlags(argv, { rounds: { type: 'string' } }, USAGE);
  const rounds = wholeNumberFlag(flags.rounds, '--rounds', 20, 1, 1000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'aggregator-soak-'));
  const pactDir = path.join(work, 'pacts');
  const marker = randomUUID();
  const firstPacts = new Map<string, string>();
  if (!existsSync('/proc')) console.log('Note: no /proc here, so leftover processes and ports are not checked.');

  const fail = (round: number, what: string) => {
    console.error(`✗ round ${round}/${rounds}: ${what}`);
    return EXIT.failed;
  };

  try {
    for (let round = 1; round <= rounds; round += 1) {
      const started = Date.now();
      // Both consumers at once, as CI jobs and Jest workers run them.
      const results = await Promise.all(
        CONSUMERS.map((consumer) => runSpecs(`${consumer.spec.replace(/\./g, '\\.')}$`, path.join(work, `${consumer.folder}-${round}.json`), pactDir, marker)),
      );
      for (const [index, { report, output }] of results.entries()) {
        const consumer = CONSUMERS[index]?.pacticipant;
        if (!report?.success || report.numFailedTests > 0 || report.numPendingTests > 0 || report.numPassedTests === 0) {
          const detail = report ? `${report.numFailedTests} failed, ${report.numPendingTests} skipped, ${report.numPassedTests} passed` : 'no report';
          return fail(round, `${consumer}'s specs were not green (${detail}):\n${output.trim()}`);
        }
      }

      for (const { pacticipant: consumer, pactFile } of CONSUMERS) {
        const file = path.join(pactDir, pactFile);
        if (!existsSync(file)) return fail(round, `${path.basename(file)} was not written`);
        const text = readFileSync(file, 'utf8');
        const first = firstPacts.get(consumer);
        if (first === undefined) firstPacts.set(consumer, text);
        else if (text !== first) return fail(round, `${path.basename(file)} differs from round 1`);
      }

      const leftovers = leftoverProcesses(marker);
      if (leftovers.length > 0) return fail(round, `processes left behind: ${leftovers.join(', ')}`);
      console.log(`  round ${round}/${rounds} green in ${((Date.now() - started) / 1000).toFixed(1)} s, pacts as in round 1, nothing left running`);
    }
    console.log(`${rounds}/${rounds} rounds green, pacts stable`);
    return EXIT.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
