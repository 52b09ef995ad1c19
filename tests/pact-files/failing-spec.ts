import path from 'node:path';
import { PROJECT_ROOT, failureBlocks } from './run-specs';

// A contract spec as ours are written (our helper, our matchers, consumer-a's client), broken each way a developer
// meets: its tests fail against the real Pact mock server. failure-reports.test.ts reads what Jest prints for one
// such file; partial-pacts.test.ts, for several in one run.

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

const header = (
  consumer: string,
) => `const { CountryDirectoryClient } = require(${from('src', 'consumer-a', 'country-directory-client')});
const { contractWithAggregator } = require(${from('tests', 'contracts', 'contract-with-aggregator')});
const { ACCEPTS_JSON, JSON_RESPONSE_HEADERS, countryCode, eachLike, positiveInteger, string } = require(${from('tests', 'contracts', 'matchers')});

const aggregator = contractWithAggregator(${JSON.stringify(consumer)});
`;

const listCountries = '(server) => new CountryDirectoryClient(server.url).listCountries()';

/** One spec file, one failure per test, and one test that passes (its interaction would have been kept). */
export const failingSpec = (consumer: string) => `${header(consumer)}
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
export function expectRemovalInReports(output: string, consumers: string[]): void {
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
