// The floor's tests: plain HTTP requests against a local server. `npm run bench` writes one floor file per
// test file of a consumer's suite, with as many tests and as many requests as that file was seen to make.
const http = require('node:http');

exports.floorSuite = (testCount, requestCount) => {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('[{"code":"IND","name":"India","population":1353200000}]');
  });
  beforeAll(() => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  for (let i = 0; i < testCount; i += 1) {
    // Spread as evenly as the suite's own: some tests make no request (input checks), some several.
    const requests = Math.floor(requestCount / testCount) + (i < requestCount % testCount ? 1 : 0);
    it(`test ${i + 1} (${requests} requests)`, async () => {
      for (let r = 0; r < requests; r += 1) {
        const response = await fetch(`http://127.0.0.1:${server.address().port}/countries`, {
          headers: { Accept: 'application/json' },
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveLength(1);
      }
    });
  }
};
