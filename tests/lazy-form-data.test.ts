import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import axios from 'axios';
import { AggregatorHttp } from '../src/shared/aggregator-http';

// jest.config.js maps `form-data` to jest/lazy-form-data.js, which loads the real package on first use. axios
// requires form-data at load for multipart bodies only; these tests hold the stand-in to two promises: our
// clients' requests never load form-data, and a multipart body (and form-data's own API) works through it.
// The tests run in order: the second one needs the real module not to have been touched yet in this file.

// requireActual bypasses mocks, not moduleNameMapper: this is the module axios gets for `form-data`.
const FormData = jest.requireActual<typeof import('form-data')>('form-data');
const LOADED = Symbol.for('aggregator-contracts.lazy-form-data.loaded');
const isLoaded = () => (FormData as unknown as Record<symbol, boolean>)[LOADED];

interface Received {
  contentType: string | undefined;
  body: string;
}

let server: http.Server;
let url: string;
const received: Received[] = [];
beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('[]');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('form-data through the lazy stand-in', () => {
  it('is what `form-data` resolves to in our tests', () => {
    expect(require.resolve('form-data')).toBe(path.resolve(__dirname, '../jest/lazy-form-data.js'));
  });

  it("is not loaded by our clients' requests", async () => {
    await expect(new AggregatorHttp(url).getJson('listCountries', '/countries')).resolves.toEqual({ status: 200, body: [] });
    await expect(new AggregatorHttp(url).getText('ping', '/ping')).resolves.toEqual({ status: 200, body: '[]' });

    expect(isLoaded()).toBe(false);
  });

  it('lets axios send a multipart body, and is loaded by it', async () => {
    await axios.postForm(`${url}/upload`, { code: 'IND', name: 'India' });

    const upload = received.at(-1);
    expect(upload?.contentType).toMatch(/^multipart\/form-data; boundary=\S+$/);
    expect(upload?.body).toContain('Content-Disposition: form-data; name="code"\r\n\r\nIND\r\n');
    expect(upload?.body).toContain('Content-Disposition: form-data; name="name"\r\n\r\nIndia\r\n');
    expect(isLoaded()).toBe(true);
  });

  it("is form-data's own constructor", () => {
    // By a path the mapping does not match: the real package.
    const real = jest.requireActual<typeof FormData>('form-data/lib/form_data.js');
    const form = new FormData();
    form.append('code', 'IND');
    class Upload extends FormData {}

    expect(typeof FormData).toBe('function');
    expect(form).toBeInstanceOf(real);
    expect(form).toBeInstanceOf(FormData);
    expect(form.getHeaders()).toEqual({ 'content-type': `multipart/form-data; boundary=${form.getBoundary()}` });
    expect(new Upload()).toBeInstanceOf(Upload);
    expect(new Upload()).toBeInstanceOf(real);
    // form-data's constructor also works without `new`.
    expect(Reflect.apply(FormData, undefined, [])).toBeInstanceOf(real);
    expect(FormData.prototype).toBe(real.prototype);
    expect(Object.getPrototypeOf(FormData)).toBe(Object.getPrototypeOf(real));
    expect(Object.keys(FormData).sort()).toEqual(Object.keys(real).sort());
    expect(Reflect.get(FormData, 'LINE_BREAK')).toBe('\r\n');
    // Read-only, as axios uses it.
    expect(Reflect.set(FormData, 'LINE_BREAK', '\n')).toBe(false);
  });
});
