// Preloaded (node --require) by `npm run bench` in one untimed run of each test file: counts the HTTP
// requests the process starts, through node:http (axios) and fetch (undici), so that the floor makes as
// many. Jest's sandbox shares the process's diagnostics channels, so requests made by tests are seen.
const diagnostics = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');

let requests = 0;
const count = () => {
  requests += 1;
};
diagnostics.subscribe('http.client.request.start', count);
diagnostics.subscribe('undici:request:create', count);

const file = process.env.BENCH_REQUEST_COUNT_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(requests)));
