import { rmSync } from 'node:fs';
import { addConsumerByRecipe, addPingByRecipe, runIn, type CommandRun } from '../recipes/apply-recipes';
import { createScratchCopy, type ScratchCopy } from '../scratch-copy';
import { startRealBroker, type RealBroker } from './real-broker';

// The README's promise in full, in a scratch copy: after "Add a consumer" (consumer-x, sharing GET /countries with
// consumer-a) and "Add an interaction" (GET /ping in consumer-a, exactly where the README puts it), with no other
// edit, the whole `npm test`, the type check, the lint (after `npm run format`, as a team would) and
// `npm run pipeline:local` against a real broker are green. tests/recipes/ holds the part `npm test` can afford.

/** The whole `npm test` of a fresh copy (no Jest cache for its paths) on a busy 2-core machine, then the checks. */
const WHOLE_SUITE = 600_000;

let copy: ScratchCopy;
let broker: RealBroker | undefined;

beforeAll(() => {
  copy = createScratchCopy(['tests/e2e/'], 'e2e-recipes');
  addConsumerByRecipe(copy);
  addPingByRecipe(copy, 'consumer-a');
});

afterAll(async () => {
  await broker?.close();
  rmSync(copy.root, { recursive: true, force: true });
});

/** 'green', or the command's last lines, so a failure shows why. */
const verdict = (run: CommandRun) => (run.code === 0 ? 'green' : run.output.split('\n').slice(-60).join('\n'));

describe("after the README's two recipes", () => {
  it(
    'npm test, the type check and the lint pass',
    async () => {
      expect(verdict(await runIn(copy, 'npm', ['run', 'format']))).toBe('green');
      // tests/recipes would apply the recipes to a copy of this copy: it has just been run, one level up.
      expect(
        verdict(await runIn(copy, 'npm', ['test', '--', '--ci', '--testPathIgnorePatterns=/tests/recipes/'])),
      ).toBe('green');
      expect(verdict(await runIn(copy, 'npm', ['run', 'typecheck']))).toBe('green');
      expect(verdict(await runIn(copy, 'npm', ['run', 'lint']))).toBe('green');
    },
    WHOLE_SUITE,
  );

  it(
    'npm run pipeline:local reaches yes against a real broker, every consumer verified',
    async () => {
      copy.git('add', '-A');
      copy.git('commit', '-q', '-m', 'consumer-x, and consumer-a pings the aggregator');
      broker = await startRealBroker();

      const run = await runIn(copy, 'npm', ['run', 'pipeline:local'], {
        PACT_BROKER_URL: broker.url,
        BROKER_USERNAME: broker.readWrite.username,
        BROKER_PASSWORD: broker.readWrite.password,
      });

      expect(verdict(run)).toBe('green');
      expect(run.output).toMatch(/^✓ 6\/6 /m);
    },
    WHOLE_SUITE,
  );
});
