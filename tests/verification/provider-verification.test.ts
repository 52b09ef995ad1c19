import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { discoverConsumers } from '../../scripts/lib/project';
import type { AggregatorCountry } from '../../src/shared/country';
import { PROVIDER } from '../../src/shared/provider';
import { notRunWhileSpecsFail, runContractSpecsNow } from '../pact-files/run-specs';
import { GERMANY, startReferenceAggregator, type ReferenceAggregator } from '../../tools/reference-aggregator';
import { expectVerified, verifyPacts, type Verification } from './verify-pacts';

// The contracts must pass against a correct aggregator whose data differs from our examples, and fail against a
// broken one: every interaction that reads a field the provider breaks, and no other. This runs the real Pact verifier,
// as the provider team's build does; it asks the pacts which interactions read what, so it holds for any consumer.

// Fresh pacts in a folder of our own, so this never races the contract specs writing pacts/. Written before the
// tests are registered: when a contract spec fails, its own report is the failure to read, and this file says so
// in one line instead of failing each verification after it.
const pactDir = mkdtempSync(path.join(os.tmpdir(), 'pacts-under-verification-'));
const contracts = runContractSpecsNow(pactDir);
let aggregator: ReferenceAggregator | undefined;

afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

afterEach(async () => {
  await aggregator?.close();
  aggregator = undefined;
});

/** The verifier's mismatch lines, all interactions together. */
const mismatchLines = (verification: Verification) => verification.failures.flatMap((failure) => failure.mismatches);

/** Every consumer's pact, as the specs just wrote them. */
const pactFiles = () => discoverConsumers().map((consumer) => path.join(pactDir, consumer.pactFile));

interface PactDocument {
  consumer: { name: string };
  interactions: { description: string; response?: { body?: { content?: unknown } } }[];
}

/** Whether `value` holds a field named `field`, at any depth. */
const holds = (value: unknown, field: string): boolean =>
  Array.isArray(value)
    ? value.some((item) => holds(item, field))
    : typeof value === 'object' &&
      value !== null &&
      Object.entries(value).some(([key, inner]) => key === field || holds(inner, field));

/** `consumer: description` of each interaction whose response, as the pacts describe it, carries `field`. */
const interactionsReading = (field: string) =>
  pactFiles()
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as PactDocument)
    .flatMap((pact) =>
      pact.interactions
        .filter((interaction) => holds(interaction.response?.body?.content, field))
        .map((interaction) => `${pact.consumer.name}: ${interaction.description}`),
    )
    .sort();

const failedInteractions = (verification: Verification) =>
  verification.failures.map(({ consumer, description }) => `${consumer}: ${description}`).sort();

/** The regression in the provider's HEAD: every population is zeroed before percentCases is computed. */
const zeroPopulations = (country: AggregatorCountry) => ({ ...country, population: 0, percentCases: (0).toFixed(15) });
/** The provider's first version, which sent percentCases as a JSON number (15 decimals at most). */
const percentCasesAsNumber = (country: AggregatorCountry) => ({
  ...country,
  percentCases: Number(country.percentCases),
});

if (contracts.failed.length > 0) notRunWhileSpecsFail('Provider verification', contracts);
else
  describe('the contracts under the real Pact verifier', () => {
    it('pass against a correct aggregator with other data', async () => {
      aggregator = await startReferenceAggregator();

      const verification = await verifyPacts(
        discoverConsumers().map((consumer) => path.join(pactDir, consumer.pactFile)),
        aggregator,
      );

      // A rejection fails here with the verifier's reasons first: interaction, provider state, mismatch lines.
      expectVerified(verification);
      // Every consumer's pact was replayed, not none of them.
      for (const consumer of discoverConsumers())
        expect(verification.output).toContain(`Verifying a pact between ${consumer.pacticipant} and ${PROVIDER}`);
    });

    it('fail, against the regression that zeroes every population, each interaction that reads a population, blaming it alone', async () => {
      aggregator = await startReferenceAggregator({ answer: zeroPopulations });

      const verification = await verifyPacts(pactFiles(), aggregator);

      // Named as the pacts name them, so the report says which interactions failed; none that reads no population.
      expect(failedInteractions(verification)).toEqual(interactionsReading('population'));
      expect(interactionsReading('population').length).toBeGreaterThan(0);
      // "0.000000000000000" is also what a country without cases answers: only the population is to blame.
      expect(mismatchLines(verification).filter((line) => !/\.population -> Expected '0' to match/.test(line))).toEqual(
        [],
      );
    });

    it('fail each interaction that reads percentCases against an aggregator that sends it as a JSON number', async () => {
      // Germany's ratio is 0.461767342289107 to 15 decimals: as a number its text still fits the pattern,
      // so only the contract's type rule can catch it.
      aggregator = await startReferenceAggregator({ answer: percentCasesAsNumber, countries: [GERMANY] });

      const verification = await verifyPacts(pactFiles(), aggregator);

      expect(failedInteractions(verification)).toEqual(interactionsReading('percentCases'));
      expect(
        mismatchLines(verification).filter(
          (line) => !/\.percentCases -> Expected 0\.461767342289107 \(Decimal\) to be the same type as/.test(line),
        ),
      ).toEqual([]);
    });
  });
