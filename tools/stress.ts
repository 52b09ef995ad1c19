/**
 * npm run stress [-- --rounds 20] [--interactions 300] [--processes 2]
 * The mock-server race check: `processes` Jest processes at once, each running a generated spec of
 * `interactions` interactions, round after round. pact-js 16 (pact-core 19) failed 6 rounds in 10 of this
 * with "expected but not received"; pact-core 20.1+ records a match before it answers. Counts every
 * failed round and exits 1 if there was one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixtureSpec, runGeneratedSpec, type FixtureInteraction } from '../tests/pact-files/run-specs';
import { pactFileName } from '../scripts/lib/project';
import { EXIT, parseFlags, runScript, wholeNumberFlag } from '../scripts/lib/script';

const USAGE = 'npm run stress [-- --rounds <n>] [--interactions <n>] [--processes <n>]';

const interactionsOf = (count: number): FixtureInteraction[] =>
  Array.from({ length: count }, (_, index) => ({ description: `a request for thing ${index}`, path: `/things/${index}` }));

runScript(async (argv) => {
  const flags = parseFlags(argv, { rounds: { type: 'string' }, interactions: { type: 'string' }, processes: { type: 'string' } }, USAGE);
  const rounds = wholeNumberFlag(flags.rounds, '--rounds', 20, 1, 1000);
  const count = wholeNumberFlag(flags.interactions, '--interactions', 300, 1, 2000);
  const processes = wholeNumberFlag(flags.processes, '--processes', 2, 1, 16);
  const consumers = Array.from({ length: processes }, (_, index) => `stress_${index + 1}`);
  const interactions = interactionsOf(count);
  const work = mkdtempSync(path.join(os.tmpdir(), 'aggregator-stress-'));
  console.log(`${rounds} rounds of ${processes} Jest processes at once, ${count} interactions each, Node ${process.version}`);

  let failedRounds = 0;
  const seconds: number[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const started = Date.now();
      const pactDir = path.join(work, `round-${round}`);
      const runs = await Promise.all(consumers.map((consumer) => runGeneratedSpec(fixtureSpec(consumer, interactions), pactDir)));
      const problems = runs.flatMap((run, index) => {
        const consumer = consumers[index] as string;
        if (run.code !== 0) {
          const missed = (run.output.match(/expected but not received/g) ?? []).length;
          return [`${consumer}: Jest exited ${run.code} (${missed} "expected but not received")`];
        }
        const pact = JSON.parse(readFileSync(path.join(pactDir, pactFileName(consumer)), 'utf8')) as { interactions: unknown[] };
        return pact.interactions.length === count ? [] : [`${consumer}: the pact holds ${pact.interactions.length} of ${count} interactions`];
      });
      seconds.push((Date.now() - started) / 1000);
      if (problems.length > 0) failedRounds += 1;
      console.log(`  round ${round}/${rounds} ${problems.length === 0 ? 'green' : `FAILED: ${problems.join('; ')}`} in ${seconds.at(-1)?.toFixed(1)} s`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(`${rounds - failedRounds}/${rounds} rounds green; ${processes * count * rounds} interactions; median round ${median.toFixed(1)} s`);
  return failedRounds === 0 ? EXIT.ok : EXIT.failed;
});
