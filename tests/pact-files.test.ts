import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONSUMERS, PROVIDER, pactFilePath } from '../src/contract-config';
import { CONTRACT_SPECS, PROJECT_ROOT, runContractSpecs, runGeneratedSpec } from './support/run-specs';

// The pact files are what we publish, so how they are written is tested like any other output:
// stale interactions never survive, one consumer never touches another's file, runs are reproducible.

const CONSUMER_A_INTERACTIONS = [
  'a request for a country with an unknown code',
  'a request for all countries',
  'a request for the country with a known code',
];
const CONSUMER_B_INTERACTIONS = [
  'a request for countries by cases per capita',
  'a request for countries by cases per capita when there are none',
];

let pactDir: string;
beforeEach(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'pact-files-'));
});
afterEach(() => rmSync(pactDir, { recursive: true, force: true }));

const fileA = () => pactFilePath(CONSUMERS.countryDirectory, pactDir);
const fileB = () => pactFilePath(CONSUMERS.perCapitaRanking, pactDir);

interface PactDocument {
  consumer: { name: string };
  provider: { name: string };
  interactions: { description: string }[];
}

function readPact(file: string): PactDocument {
  return JSON.parse(readFileSync(file, 'utf8')) as PactDocument;
}

const descriptions = (file: string) => readPact(file).interactions.map((interaction) => interaction.description);

describe('pact files', () => {
  it("drop interactions that are no longer in the spec, and leave the other consumer's pact alone", async () => {
    const stale = { consumer: { name: CONSUMERS.countryDirectory }, provider: { name: PROVIDER }, interactions: [{ description: 'an interaction deleted from the spec' }] };
    writeFileSync(fileA(), JSON.stringify(stale));
    writeFileSync(fileB(), 'consumer-b pact, not to be touched');

    await runContractSpecs(pactDir, CONTRACT_SPECS.consumerA);

    expect(descriptions(fileA())).toEqual(CONSUMER_A_INTERACTIONS);
    expect(readFileSync(fileB(), 'utf8')).toBe('consumer-b pact, not to be touched');
  });

  it('are byte-identical from one run to the next', async () => {
    await runContractSpecs(pactDir, CONTRACT_SPECS.consumerA, CONTRACT_SPECS.consumerB);
    const first = [readFileSync(fileA()), readFileSync(fileB())];

    await runContractSpecs(pactDir, CONTRACT_SPECS.consumerA, CONTRACT_SPECS.consumerB);

    expect(readFileSync(fileA()).equals(first[0] as Buffer)).toBe(true);
    expect(readFileSync(fileB()).equals(first[1] as Buffer)).toBe(true);
  });

  it('are removed when an interaction fails, so a partial contract is never left to publish', async () => {
    const spec = `
      import axios from 'axios';
      import { contractWithAggregator } from '${PROJECT_ROOT}/tests/support/pact';
      const aggregator = contractWithAggregator('consumer_a', ${JSON.stringify(pactDir)});
      const get = (url: string) => axios.get(url, { validateStatus: () => true });
      it('passes', () => aggregator.addInteraction().uponReceiving('a request that is made')
        .withRequest('GET', '/countries').willRespondWith(200).executeTest((server) => get(server.url + '/countries')));
      it('fails', () => aggregator.addInteraction().uponReceiving('a request the client never makes')
        .withRequest('GET', '/countries/IND').willRespondWith(200).executeTest((server) => get(server.url + '/countries/DEU')));
      it('passes afterwards too', () => aggregator.addInteraction().uponReceiving('another request that is made')
        .withRequest('GET', '/countries/percapita').willRespondWith(200).executeTest((server) => get(server.url + '/countries/percapita')));
    `;

    const run = await runGeneratedSpec(spec, pactDir);

    expect(run.code).not.toBe(0);
    expect(run.output).toContain('consumer_a-aggregator.json removed: a test of its spec file failed');
    expect(existsSync(fileA())).toBe(false);
  });

  it('come out the same when both consumers run at once in two processes', async () => {
    await runContractSpecs(pactDir, CONTRACT_SPECS.consumerA, CONTRACT_SPECS.consumerB);
    const alone = [readFileSync(fileA()), readFileSync(fileB())];

    await Promise.all([runContractSpecs(pactDir, CONTRACT_SPECS.consumerA), runContractSpecs(pactDir, CONTRACT_SPECS.consumerB)]);

    expect(readPact(fileA())).toMatchObject({ consumer: { name: 'consumer_a' }, provider: { name: 'aggregator' } });
    expect(descriptions(fileB())).toEqual(CONSUMER_B_INTERACTIONS);
    expect(readFileSync(fileA()).equals(alone[0] as Buffer)).toBe(true);
    expect(readFileSync(fileB()).equals(alone[1] as Buffer)).toBe(true);
  });
});
