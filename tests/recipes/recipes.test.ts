import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import { startReferenceAggregator, type ReferenceAggregator } from '../../tools/reference-aggregator';
import { expectVerified, verifyPacts } from '../verification/verify-pacts';
import { addConsumerByRecipe, addPingByRecipe, runIn, type AddedConsumer, type CommandRun } from './apply-recipes';
import { createScratchCopy, type ScratchCopy } from '../scratch-copy';

// The README's recipes, followed literally in a scratch copy of the repo, keep green what they touch: a consumer
// added by "Add a consumer" that asks `GET /countries` as consumer-a does, with `GET /ping` added to it by "Add an
// interaction". Run here: its script line, the suites that read the consumers and the scripts, and the real verifier
// against the reference aggregator. Nothing here runs today's consumers' specs, so a mistake in one of them fails
// their own tests, not this one. The whole `npm test` and `pipeline:local` of such a copy: tests/e2e/recipes.test.ts.

/** A Jest run of three test files in a fresh copy (nothing cached for its paths), on a busy machine. */
const SCRATCH_RUN = 180_000;

let copy: ScratchCopy;
let added: AddedConsumer;
let run: CommandRun;
let reference: ReferenceAggregator | undefined;

beforeAll(async () => {
  copy = createScratchCopy(['tests/e2e/'], 'recipes');
  added = addConsumerByRecipe(copy);
  addPingByRecipe(copy, added.folder);
  // The one script line, with the suites that read package.json, the README and src/ added to its run.
  run = await runIn(copy, 'npm', [
    'run',
    added.script,
    '--',
    '--ci',
    '--verbose',
    'tests/ci/readme-tables.test.ts',
    'tests/contracts/consumer-folders.test.ts',
  ]);
}, SCRATCH_RUN);

afterAll(async () => {
  await reference?.close();
  rmSync(copy.root, { recursive: true, force: true });
});

describe("the README's recipes, followed as written", () => {
  it('give a consumer whose own script runs its spec, the ping included, and keep the suites that list consumers and scripts green', () => {
    expect({ code: run.code, output: run.output }).toEqual({ code: 0, output: expect.any(String) as string });
    expect(run.output).toMatch(/Test Suites: 3 passed, 3 total/);
    expect(run.output).toMatch(/✓ pings the aggregator/);
  });

  it('give a pact that the real verifier passes against the reference aggregator, /ping and the shared /countries', async () => {
    const pactFile = path.join(copy.root, 'pacts', pactFileName(added.pacticipant));
    const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: { request: { path: string } }[] };
    expect(pact.interactions.map((interaction) => interaction.request.path).sort()).toEqual(['/countries', '/ping']);

    reference = await startReferenceAggregator();
    expectVerified(await verifyPacts([pactFile], reference));
  });
});
