import { AggregatorError, AggregatorHttp } from '../src/shared/aggregator-http';
import { startFixtureServer, type FixtureServer, type FaultyAnswer } from './support/http-fixture';

// The shared transport's plain-text reads (the aggregator's /ping); JSON reads are covered through the clients.

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echoAccept: FaultyAnswer = (request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain;charset=UTF-8' });
  response.end(`accept=${request.headers.accept ?? ''}`);
};

describe('AggregatorHttp.getText', () => {
  it('reads a plain-text answer and asks for text', async () => {
    server = await startFixtureServer(echoAccept);

    const answer = await new AggregatorHttp(server.url).getText('ping', '/ping');

    expect(answer).toEqual({ status: 200, body: 'accept=text/plain' });
  });

  it('returns the status without a body for an answer that is not 2xx', async () => {
    server = await startFixtureServer({ status: 503, body: 'down for maintenance', contentType: 'text/plain' });

    await expect(new AggregatorHttp(server.url).getText('ping', '/ping')).resolves.toEqual({ status: 503, body: undefined });
  });

  it('follows no redirect, as JSON reads do', async () => {
    server = await startFixtureServer({ status: 302, headers: { Location: 'http://127.0.0.1:1/elsewhere' } });

    await expect(new AggregatorHttp(server.url).getText('ping', '/ping')).rejects.toMatchObject({ kind: 'unexpected-status', status: 302 });
    await expect(new AggregatorHttp(server.url).getText('ping', '/ping')).rejects.toBeInstanceOf(AggregatorError);
  });
});
