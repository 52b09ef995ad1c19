// The pact-js floor: as many tests as a contract spec file, each a pact-js V4 interaction that a plain `fetch`
// exercises, in plain JS under bare Jest (no TypeScript, no environment of ours, no client). What a contract suite
// costs above it is what ts-jest and this repo add. `npm run bench` writes one floor file per spec file.
const { PactV4 } = require('@pact-foundation/pact');

exports.pactFloorSuite = (testCount, name) => {
  const pact = new PactV4({
    consumer: `floor_${name}`,
    provider: 'floor_provider',
    dir: process.env.PACT_DIR,
    logLevel: 'warn',
  });
  for (let i = 0; i < testCount; i += 1) {
    it(`interaction ${i + 1}`, () =>
      pact
        .addInteraction()
        .uponReceiving(`a request for thing ${i + 1}`)
        .withRequest('GET', `/things/${i + 1}`, (request) => request.headers({ Accept: 'application/json' }))
        .willRespondWith(200, (response) => response.jsonBody([{ code: 'IND', name: 'India' }]))
        .executeTest(async (server) => {
          const response = await fetch(`${server.url}/things/${i + 1}`, { headers: { Accept: 'application/json' } });
          expect(response.status).toBe(200);
        }));
  }
};
