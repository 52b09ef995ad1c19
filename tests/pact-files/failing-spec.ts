import path from 'node:path';
import { PROJECT_ROOT, failureBlocks } from './run-specs';

// A contract spec as ours are written (our helper, our matchers, a client that names the call in its errors), broken
// each way a developer meets; failing-specs.test.ts reads what Jest prints for it. The client is the fixture's own,
// so a mistake in one of our real clients fails that client's spec, not this one.

const from = (...parts: string[]) => JSON.stringify(path.join(PROJECT_ROOT, ...parts));

/** The list interaction of a directory client, with `request` changed to break it one way. */
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

const header = (consumer: string) => `const axios = require('axios');
const { contractWithAggregator } = require(${from('tests', 'contracts', 'contract-with-aggregator')});
const { ACCEPTS_JSON, JSON_RESPONSE_HEADERS, countryCode, eachLike, positiveInteger, string } = require(${from('tests', 'contracts', 'matchers')});

/** A client as ours are: it asks for JSON, refuses a status but 200 and an answer without the fields it reads. */
class ClientError extends Error {
  name = 'ClientError';
}
async function get(server, operation, path) {
  const response = await axios.get(server.url + path, { headers: ACCEPTS_JSON, validateStatus: () => true });
  if (response.status !== 200) throw new ClientError(operation + ' failed: the aggregator answered HTTP ' + response.status);
  return response.data;
}
const listCountries = (server) => get(server, 'listCountries', '/countries');
async function getCountry(server, code) {
  const country = await get(server, 'getCountry', '/countries/' + code);
  if (!Number.isSafeInteger(country.latestTotalCases))
    throw new ClientError('getCountry failed: country field "latestTotalCases" should be a safe integer, 0 or more, got nothing');
  return country;
}

const aggregator = contractWithAggregator(${JSON.stringify(consumer)});
`;

/**
 * One spec file, one failure per test, and one test that passes (its interaction would have been kept). The passing
 * test prints a line of its own, which must print as it was.
 */
export const failingSpec = (consumer: string) => `${header(consumer)}
${listInteraction('passes', ".withRequest('GET', '/countries', (request) => request.headers(ACCEPTS_JSON))", "(server) => listCountries(server).then(() => console.log('a line of the test'))")}
${listInteraction('wrong path', ".withRequest('GET', '/country', (request) => request.headers(ACCEPTS_JSON))", 'listCountries')}
${listInteraction('missing header', ".withRequest('GET', '/countries', (request) => request.headers({ ...ACCEPTS_JSON, 'X-Request-Id': 'r-1' }))", 'listCountries')}
it('field the contract does not define', () =>
  aggregator
    .addInteraction()
    .given('a country exists', { code: 'IND' })
    .uponReceiving('a request for a country, answered without its case figures')
    .withRequest('GET', '/countries/IND', (request) => request.headers(ACCEPTS_JSON))
    .willRespondWith(200, (response) =>
      response.headers(JSON_RESPONSE_HEADERS).jsonBody({ code: countryCode('IND'), name: string('India'), population: positiveInteger(1353200000) }))
    .executeTest((server) => getCountry(server, 'IND')));
${listInteraction('never exercised', ".withRequest('GET', '/countries', (request) => request.headers(ACCEPTS_JSON))", 'async () => {}')}
`;

/** Each consumer's removal line is the last block of its own file's report, not a line above every report. */
export function expectRemovalInReports(output: string, consumers: string[]): void {
  const [aboveEveryReport = '', ...fileReports] = output.split(/^FAIL /m);
  for (const consumer of consumers) {
    const removal = `${consumer}-aggregator.json removed: a test of its spec file failed, so it would not be the whole contract.`;
    expect(aboveEveryReport).not.toContain(removal);
    const reports = fileReports.filter((report) => report.includes(removal));
    expect(reports).toHaveLength(1);
    // After the file's last failed test's reason.
    expect(failureBlocks(reports[0] ?? '', 'never exercised').at(-1)).toEqual([removal]);
  }
}
