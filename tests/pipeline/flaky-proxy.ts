/**
 * A tiny fault-injecting HTTP proxy: it answers the first `failFirst` requests with `status` itself and passes
 * every later request through to `target` unchanged. In front of a real Pact Broker it shows what a client's
 * retries end in, without imitating any of the broker's API.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** Each request as `METHOD path -> status`, in order. */
  log: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, failFirst: number, status = 503): Promise<FaultProxy> {
  const log: string[] = [];
  const upstream = new URL(target);
  const server = http.createServer((request, response) => {
    const line = `${request.method ?? ''} ${request.url ?? ''}`;
    if (log.length < failFirst) {
      log.push(`${line} -> ${status}`);
      response.writeHead(status, { 'Content-Type': 'text/plain' });
      response.end(http.STATUS_CODES[status] ?? '');
      return;
    }
    const index = log.push(`${line} -> …`) - 1;
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
        agent: false,
      },
      (answer) => {
        log[index] = `${line} -> ${answer.statusCode ?? 0}`;
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => {
      log[index] = `${line} -> 502`;
      response.writeHead(502).end();
    });
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
