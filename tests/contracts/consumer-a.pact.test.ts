import { CountryDirectoryClient, type CountryDetails } from '../../src/consumer-a/country-directory-client';
import { PACTICIPANT } from '../../src/consumer-a/pacticipant';
import { contractWithAggregator } from './contract-with-aggregator';
import {
  ACCEPTS_JSON,
  JSON_RESPONSE_HEADERS,
  countryCode,
  eachLike,
  integer,
  nonNegativeInteger,
  positiveInteger,
  string,
} from './matchers';

const aggregator = contractWithAggregator(PACTICIPANT);

// Example values only: every field is matched by type or pattern, so any real data passes.
const india: CountryDetails = {
  code: 'IND',
  name: 'India',
  population: 1353200000,
  latestTotalCases: 44690738,
  diffFromPrevDay: 1326,
};

describe('consumer-a (country directory) and the aggregator', () => {
  it('lists countries with their code, name and population', async () => {
    await aggregator
      .addInteraction()
      .given('countries exist')
      .uponReceiving('a request for all countries')
      .withRequest('GET', '/countries', (request) => request.headers(ACCEPTS_JSON))
      .willRespondWith(200, (response) =>
        response.headers(JSON_RESPONSE_HEADERS).jsonBody(
          eachLike(
            {
              code: countryCode(india.code),
              name: string(india.name),
              population: positiveInteger(india.population),
            },
            1,
          ),
        ),
      )
      .executeTest(async (mockServer) => {
        const countries = await new CountryDirectoryClient(mockServer.url).listCountries();

        expect(countries).toEqual([{ code: india.code, name: india.name, population: india.population }]);
      });
  });

  it('gets one country with its case figures', async () => {
    await aggregator
      .addInteraction()
      .given('a country exists', { code: india.code })
      .uponReceiving('a request for the country with a known code')
      .withRequest('GET', `/countries/${india.code}`, (request) => request.headers(ACCEPTS_JSON))
      .willRespondWith(200, (response) =>
        response.headers(JSON_RESPONSE_HEADERS).jsonBody({
          code: countryCode(india.code),
          name: string(india.name),
          population: positiveInteger(india.population),
          latestTotalCases: nonNegativeInteger(india.latestTotalCases),
          // Any sign: a downward revision of the cumulative count makes the day's difference negative.
          diffFromPrevDay: integer(india.diffFromPrevDay),
        }),
      )
      .executeTest(async (mockServer) => {
        const country = await new CountryDirectoryClient(mockServer.url).getCountry('ind');

        expect(country).toEqual(india);
      });
  });

  it('answers "not found" for a code the aggregator does not know', async () => {
    // QQQ is in ISO 3166's user-assigned range: no country will ever have it.
    await aggregator
      .addInteraction()
      .given('no country exists with the code', { code: 'QQQ' })
      .uponReceiving('a request for a country with an unknown code')
      .withRequest('GET', '/countries/QQQ', (request) => request.headers(ACCEPTS_JSON))
      .willRespondWith(404)
      .executeTest(async (mockServer) => {
        const country = await new CountryDirectoryClient(mockServer.url).getCountry('QQQ');

        expect(country).toBeNull();
      });
  });
});
