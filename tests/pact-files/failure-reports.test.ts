import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, failureBlocks, runGeneratedSpec } from './run-specs';

// What a developer reads first when a contract spec fails: the reason (the mock server's verdict, or the client's
// own complaint when the mock server had none), then its consequences. Real failures of consumer-a's client against
// the Pact mock server, in a throwaway spec written as ours are (our helper, our matchers), run by Jest as a user runs it.

/** Each test starts a Jest process of its own, slow on a busy machine: a limit for a hang, not a speed target. */
const OWN_JEST_RUN = 120_000;

let pactDir: string;
beforeEach(() => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'failure-reports-'));
});
afterEach(() => rmSync(pactDir, { recursive: true, force: true }));

const from = (...parts: string[]) => JSON.stringify(path.join(PROJECT_ROOT, ...parts));

/** consumer-a's list interaction, as its spec declares it, with `request` changed to break it one way. */
const listInteraction = (test: string, request: string, client: string) => `
it(${JSON.stringify(test)}, () =>
  aggregator
    .addInteraction()
    .given('countries exist')
    .uponReceiving(${JSON.stringify(`a request for all countries (${test})`)})
    ${request}
    .willRespondWith(200, (response) =>
      response.headers(JSON_RESPONSE_HEADERS).jsonBody(eachLike({ code: countryCode('IND'), name: string('India'), population: positiveInteger(1353200000) }, 1)))
    .executeTest(${client}));`;

const header = (consumer: string) => `const { CountryDirectoryClient } = require(${from('src', 'consumer-a', 'country-directory-client')});
const { contractWithAggregator } = require(${from('tests', 'contracts', 'contract-with-aggregator')});
const { ACCEPTS_JSON, JSON_RESPONSE_HEADERS, countryCode, eachLike, positiveInteger, string } = require(${from('tests', 'contracts', 'matchers')});

const aggregator = contractWithAggregator(${JSON.stringify(consumer)});
`;

const listCountries = '(server) => new CountryDirectoryClient(server.url).listCountries()';

/** One spec file, one failure per test, and one test that passes (its interaction would have been kept). */
const failingSpec = (consumer: string) => `${header(consumer)}
${listInteraction('passes', ".withRequest('GET', '/countries', (request) => request.headers(ACCEPTS_JSON))", listCountries)}
${listInteraction('wrong path', ".withRequest('GET', '/country', (request) => request.headers(ACCEPTS_JSON))", listCountries)}
${listInteraction('missing header', ".withRequest('GET', '/countries', (request) => request.headers({ ...ACCEPTS_JSON, 'X-Request-Id': 'r-1' }))", listCountries)}
it('field the contract does not define', () =>
  aggregator
    .addInteraction()
    .given('a country exists', { code: 'IND' })
    .uponReceiving('a request for a country, answered without its case figures')
    .withRequest('GET', '/countries/IND', (request) => request.headers(ACCEPTS_JSON))
    .willRespondWith(200, (response) =>
      response.headers(JSON_RESPONSE_HEADERS).jsonBody({ code: countryCode('IND'), name: string('India'), population: positiveInteger(1353200000) }))
    .executeTest((server) => new CountryDirectoryClient(server.url).getCountry('IND')));
${listInteraction('never exercised', ".withRequest('GET', '/countries', (request) => request.headers(ACCEPTS_JSON))", 'async () => {}')}
`;

/** Each consumer's removal line is the last block of its own file's report, and nothing precedes the reports. */
function expectRemovalInReports(output: string, consumers: string[]): void {
  const [aboveEveryReport = '', ...fileReports] = output.split(/^FAIL /m);
  expect(aboveEveryReport).not.toContain('removed:');
  for (const consumer of consumers) {
    const removal = `${consumer}-aggregator.json removed: a test of its spec file failed, so it would not be the whole contract.`;
    const reports = fileReports.filter((report) => report.includes(removal));
    expect(reports).toHaveLength(1);
    // After the file's last failed test's reason.
    expect(failureBlocks(reports[0] ?? '', 'never exercised').at(-1)).toEqual([removal]);
  }
}

describe('a failing contract spec', () => {
  it('leads each failed test with its reason (the mismatch, expected before received, then the client\'s error) and ends with the pact\'s removal', async () => {
    const run = await runGeneratedSpec(failingSpec('fixture_reasons'), pactDir);

    expect(run.code).not.toBe(0);

    const [wrongPathMismatch, wrongPathClient] = failureBlocks(run.output, 'wrong path');
    expect(wrongPathMismatch?.slice(0, 3)).toEqual([
      "PactMismatch: the client's requests do not match this test's interaction:",
      '- expected GET /country, which the client never sent',
      '- received GET /countries, which the interaction does not expect',
    ]);
    expect(wrongPathClient?.[0]).toBe('AggregatorError: listCountries failed: the aggregator answered HTTP 500');

    const [headerMismatch, headerClient] = failureBlocks(run.output, 'missing header');
    expect(headerMismatch?.slice(0, 2)).toEqual([
      "PactMismatch: the client's requests do not match this test's interaction:",
      "- GET /countries: Expected a header 'X-Request-Id' but was missing",
    ]);
    expect(headerClient?.[0]).toBe('AggregatorError: listCountries failed: the aggregator answered HTTP 500');

    // The mock server matched; the client refuses an answer without the fields it reads: its error is the reason.
    const fieldBlocks = failureBlocks(run.output, 'field the contract does not define');
    expect(fieldBlocks).toHaveLength(1);
    expect(fieldBlocks[0]?.[0]).toBe('AggregatorError: getCountry failed: country field "latestTotalCases" should be a safe integer, 0 or more, got nothing');

    const [neverMismatch] = failureBlocks(run.output, 'never exercised');
    expect(neverMismatch?.slice(0, 2)).toEqual([
      "PactMismatch: the client's requests do not match this test's interaction:",
      '- expected GET /countries, which the client never sent',
    ]);
    // Once, under its test: not also as a console block that names no test.
    expect(run.output).not.toContain('console.log');
    // One file: Jest's verbose reporter, where a line on stderr would print above the FAIL header.
    expectRemovalInReports(run.output, ['fixture_reasons']);
  }, OWN_JEST_RUN);

  it("says each file's pact was removed with that file's report when Jest prints several files", async () => {
    // Two files: Jest's default (non-verbose) reporter, which buffers each file's console until its report.
    const run = await runGeneratedSpec([failingSpec('fixture_removed'), failingSpec('fixture_removed_too')], pactDir);

    expectRemovalInReports(run.output, ['fixture_removed', 'fixture_removed_too']);
  }, OWN_JEST_RUN);
});
