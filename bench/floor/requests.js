// One test per request, as the contract specs have one test per interaction.
const http = require('node:http');

function floorSuite(name, requestCount) {
  let server;
  let url;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('[{"code":"IND","name":"India","population":1353200000}]');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  describe(name, () => {
    for (let i = 0; i < requestCount; i += 1) {
      it(`request ${i + 1}`, async () => {
        const response = await fetch(`${url}/countries`, { headers: { Accept: 'application/json' } });
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveLength(1);
      });
    }
  });
}

module.exports = { floorSuite };
