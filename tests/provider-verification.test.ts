import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { PROVIDER, pactFilePath, CONSUMERS, ALL_CONSUMERS } from '../src/contract-config';
import { CONTRACT_SPECS, runContractSpecs } from './support/run-specs';
import { GERMANY, startReferenceAggregator, type ReferenceAggregator } from './support/reference-aggregator';

// The contracts must pass against a correct aggregator whose data differs from our examples, and fail against
// a broken one. This runs the real Pact verifier, as the provider team's build does.

let pactDir: string;
let aggregator: ReferenceAggregator | undefined;

beforeAll(async () => {
  // Fresh pacts in a folder of our own, so this never races the contract specs writing pacts/.
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pacts-under-verification-'));
  await runContractSpecs(pactDir, CONTRACT_SPECS.consumerA, CONTRACT_SPECS.consumerB);
});

afterAll(() => rmSync(pactDir, { recursive: true, force: true }));

afterEach(async () => {
  await aggregator?.close();
  aggregator = undefined;
});

function verify(pactUrls: string[], providerBaseUrl: string, providerStatesSetupUrl: string): Promise<string> {
  return new Verifier({ provider: PROVIDER, providerBaseUrl, pactUrls, providerStatesSetupUrl, logLevel: 'error' }).verifyProvider();
}

describe('the contracts under the real Pact verifier', () => {
  it('pass against an aggregator with other data (and its population-0 bug)', async () => {
    aggregator = await startReferenceAggregator();

    await expect(
      verify(ALL_CONSUMERS.map((consumer) => pactFilePath(consumer, pactDir)), aggregator.url, aggregator.stateSetupUrl),
    ).resolves.toBeDefined();
  });

  it('fail against an aggregator that sends percentCases as a JSON number, even one with 15 decimals', async () => {
    // Germany's ratio is 0.461767342289107 to 15 decimals: as a number its text still fits the pattern,
    // so only the contract's type rule can catch it.
    aggregator = await startReferenceAggregator({ percentCasesAsNumber: true, countries: [GERMANY] });

    await expect(
      verify([pactFilePath(CONSUMERS.perCapitaRanking, pactDir)], aggregator.url, aggregator.stateSetupUrl),
    ).rejects.toThrow();
  });
});
