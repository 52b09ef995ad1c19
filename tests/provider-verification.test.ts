import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { discoverConsumers, pactFileName } from '../scripts/lib/project';
import { PACTICIPANT as PER_CAPITA_RANKING } from '../src/consumer-b/pacticipant';
import { PROVIDER } from '../src/shared/provider';
import { contractSpecs, runContractSpecs } from './support/run-specs';
import { GERMANY, startReferenceAggregator, type ReferenceAggregator } from './support/reference-aggregator';

// The contracts must pass against a correct aggregator whose data differs from our examples, and fail against
// a broken one. This runs the real Pact verifier, as the provider team's build does.

let pactDir: string;
let aggregator: ReferenceAggregator | undefined;

beforeAll(async () => {
  // Fresh pacts in a folder of our own, so this never races the contract specs writing pacts/.
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pacts-under-verification-'));
  await runContractSpecs(pactDir, ...contractSpecs());
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
      verify(discoverConsumers().map((consumer) => path.join(pactDir, consumer.pactFile)), aggregator.url, aggregator.stateSetupUrl),
    ).resolves.toBeDefined();
  });

  it('fail against an aggregator that sends percentCases as a JSON number, even one with 15 decimals', async () => {
    // Germany's ratio is 0.461767342289107 to 15 decimals: as a number its text still fits the pattern,
    // so only the contract's type rule can catch it.
    aggregator = await startReferenceAggregator({ percentCasesAsNumber: true, countries: [GERMANY] });

    await expect(
      verify([path.join(pactDir, pactFileName(PER_CAPITA_RANKING))], aggregator.url, aggregator.stateSetupUrl),
    ).rejects.toThrow();
  });
});
