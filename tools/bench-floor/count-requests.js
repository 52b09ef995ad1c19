// Preloaded (node --require) by `npm run bench` in one untimed run of a suite: counts the HTTP requests each
// process starts, through node:http (axios) and fetch (undici), so that the floor makes as many. Jest's sandbox
// shares the process's diagnostics channels, so requests made by tests are seen. Each process (npm, Jest) adds
// its own line; the bench sums them.
const diagnostics = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');

let requests = 0;
const count = () => (requests += 1);
diagnostics.subscribe('http.client.request.start', count);
diagnostics.subscribe('undici:request:create', count);

const file = process.env.BENCH_REQUEST_COUNT_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${requests}\n`));
