import { PerCapitaClient } from '../../src/consumer-b/per-capita-client';
import { PACTICIPANT } from '../../src/consumer-b/pacticipant';
import { contractWithAggregator } from './contract-with-aggregator';
import {
  ACCEPTS_JSON,
  JSON_RESPONSE_HEADERS,
  countryCode,
  eachLike,
  percentCases,
  positiveInteger,
  string,
} from './matchers';

const aggregator = contractWithAggregator(PACTICIPANT);

describe('consumer-b (per-capita ranking) and the aggregator', () => {
  it('ranks countries by cases per capita', async () => {
    await aggregator
      .addInteraction()
      .given('countries with case figures exist')
      .uponReceiving('a request for countries by cases per capita')
      .withRequest('GET', '/countries/percapita', (request) => request.headers(ACCEPTS_JSON))
      .willRespondWith(200, (response) =>
        response.headers(JSON_RESPONSE_HEADERS).jsonBody(
          eachLike(
            {
              code: countryCode('IND'),
              name: string('India'),
              // A ranking per capita needs a real population: this is what fails the aggregator's population-0 regression.
              population: positiveInteger(1353200000),
              // A string, not a number: the provider formats it with exactly 15 decimals. Not required above 0:
              // a country with no cases rightly has "0.000000000000000", and the population rule already catches the regression.
              percentCases: percentCases('0.033025966351611'),
            },
            1,
          ),
        ),
      )
      .executeTest(async (mockServer) => {
        const ranking = await new PerCapitaClient(mockServer.url).highestPerCapita();

        expect(ranking).toEqual([
          { code: 'IND', name: 'India', population: 1353200000, percentCases: 0.033025966351611 },
        ]);
      });
  });

  it('returns an empty ranking when the aggregator has no countries', async () => {
    await aggregator
      .addInteraction()
      .given('no countries exist')
      .uponReceiving('a request for countries by cases per capita when there are none')
      .withRequest('GET', '/countries/percapita', (request) => request.headers(ACCEPTS_JSON))
      .willRespondWith(200, (response) => response.headers(JSON_RESPONSE_HEADERS).jsonBody([]))
      .executeTest(async (mockServer) => {
        const ranking = await new PerCapitaClient(mockServer.url).highestPerCapita();

        expect(ranking).toEqual([]);
      });
  });
});
