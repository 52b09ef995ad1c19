import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverConsumers, pactFileName } from '../../scripts/lib/project';
import { PACTICIPANT as COUNTRY_DIRECTORY } from '../../src/consumer-a/pacticipant';
import { PACTICIPANT as PER_CAPITA_RANKING } from '../../src/consumer-b/pacticipant';
import type { AggregatorCountry } from '../../src/shared/country';
import { PROVIDER } from '../../src/shared/provider';
import { contractSpecs, runContractSpecs } from '../pact-files/run-specs';
import { GERMANY, startReferenceAggregator, type ReferenceAggregator } from '../../tools/reference-aggregator';
import { expectVerified, verifyPacts, type Verification } from './verify-pacts';

// The contracts must pass against a correct aggregator whose data differs from our examples, and fail against
// a broken one. This runs the real Pact verifier, as the provider team's build does.

let pactDir: string;
let aggregator: ReferenceAggregator | undefined;

beforeAll(async () => {
  // Fresh pacts in a folder of our own, so this never races the contract specs writing pacts/.
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pacts-under-verification-'));
  await runContractSpecs(pactDir, ...contractSpecs());
  // Every consumer's specs in one nested Jest: a third consumer in a fresh checkout (nothing cached yet) on a busy
  // machine took over Jest's default 30 s. A limit for a hang, not a speed target.
}, 120_000);

afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

afterEach(async () => {
  await aggregator?.close();
  aggregator = undefined;
});

/** The verifier's mismatch lines, all interactions together. */
const mismatchLines = (verification: Verification) => verification.failures.flatMap((failure) => failure.mismatches);
const mismatchText = (verification: Verification) => mismatchLines(verification).join('\n');

/** The regression in the provider's HEAD: every population is zeroed before percentCases is computed. */
const zeroPopulations = (country: AggregatorCountry) => ({ ...country, population: 0, percentCases: (0).toFixed(15) });
/** The provider's first version, which sent percentCases as a JSON number (15 decimals at most). */
const percentCasesAsNumber = (country: AggregatorCountry) => ({
  ...country,
  percentCases: Number(country.percentCases),
});

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

  it("fail consumer-b against the aggregator's regression that zeroes every population", async () => {
    aggregator = await startReferenceAggregator({ answer: zeroPopulations });

    const verification = await verifyPacts([path.join(pactDir, pactFileName(PER_CAPITA_RANKING))], aggregator);

    expect(verification.passed).toBe(false);
    // Named as the pact names it, with its provider state, so the report says which interaction failed.
    expect(
      verification.failures.map(({ consumer, description, providerStates }) => ({
        consumer,
        description,
        providerStates,
      })),
    ).toEqual([
      {
        consumer: PER_CAPITA_RANKING,
        description: 'a request for countries by cases per capita',
        providerStates: ['countries with case figures exist'],
      },
    ]);
    expect(mismatchText(verification)).toContain("$[0].population -> Expected '0' to match '^[1-9]\\d*$'");
  });

  it('blame the population alone for that regression, not the ratio of 0 it causes', async () => {
    // "0.000000000000000" is also what a country without cases answers: the contract must not reject it.
    aggregator = await startReferenceAggregator({ answer: zeroPopulations });

    const verification = await verifyPacts([path.join(pactDir, pactFileName(PER_CAPITA_RANKING))], aggregator);

    expect(mismatchText(verification)).toContain('$[0].population ->');
    expect(mismatchLines(verification).filter((line) => !line.includes('.population -> '))).toEqual([]);
  });

  it('fail consumer-a against the same regression, where it reads population', async () => {
    aggregator = await startReferenceAggregator({ answer: zeroPopulations });

    const verification = await verifyPacts([path.join(pactDir, pactFileName(COUNTRY_DIRECTORY))], aggregator);

    expect(verification.passed).toBe(false);
    // The list ($[0]) and the one country ($).
    expect(mismatchText(verification)).toContain("$[0].population -> Expected '0' to match");
    expect(mismatchText(verification)).toContain("$.population -> Expected '0' to match");
  });

  it('fail against an aggregator that sends percentCases as a JSON number, even one with 15 decimals', async () => {
    // Germany's ratio is 0.461767342289107 to 15 decimals: as a number its text still fits the pattern,
    // so only the contract's type rule can catch it.
    aggregator = await startReferenceAggregator({ answer: percentCasesAsNumber, countries: [GERMANY] });

    const verification = await verifyPacts([path.join(pactDir, pactFileName(PER_CAPITA_RANKING))], aggregator);

    expect(verification.passed).toBe(false);
    expect(mismatchText(verification)).toContain(
      "$[0].percentCases -> Expected 0.461767342289107 (Decimal) to be the same type as '0.033025966351611' (String)",
    );
  });
});
