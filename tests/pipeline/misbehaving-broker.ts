import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * Small servers on 127.0.0.1 that produce the faults a real broker does not (down, silent, an HTTP status
 * on every request, a certificate that fails verification). They imitate no broker API: every request gets
 * the same fault. Close each after its test.
 */
export interface FaultServer {
  url: string;
  /** `METHOD path` of each request received. */
  requests: string[];
  /** The Authorization header of each request received (undefined when there was none), in the same order. */
  authorizations: (string | undefined)[];
  /** Resolves once `count` requests have reached it (evidence to wait on, never a sleep). */
  received(count?: number): Promise<void>;
  close(): Promise<void>;
}

/** What a scripted server answers one request with. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the body one byte every this many ms (after the headers, at once). */
  trickleMs?: number;
}

/** A request as a scripted server saw it, its body parsed as JSON when it is. */
export interface SeenRequest {
  method: string;
  url: string;
  body: unknown;
}

export type Fault =
  | { kind: 'silent' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'tls' }
  /** Headers at once, then its JSON answer one byte every `intervalMs`: never idle, never done in time. */
  | { kind: 'trickle'; intervalMs: number }
  /** Each request answered as `answer` says, which may hold it (a pending promise) until the test releases it. */
  | { kind: 'scripted'; answer: (request: SeenRequest, url: string) => Answer | Promise<Answer> };

/** The broker's HAL index as the pact CLI reads it before publishing (its first request). */
export const halIndex = (url: string): Answer => ({
  status: 200,
  body: { _links: { 'pb:publish-contracts': { href: `${url}/contracts/publish` } } },
  headers: { 'Content-Type': 'application/hal+json' },
});

// A self-signed certificate for 127.0.0.1 (test-only key, valid until 2126): no CA vouches for it.
const FIXTURES = path.join(__dirname, 'tls');

export async function startFaultServer(fault: Fault): Promise<FaultServer> {
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let url = '';
  const timers = new Set<NodeJS.Timeout>();
  const handler: http.RequestListener = (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    authorizations.push(request.headers.authorization);
    for (const waiter of waiters.filter((each) => requests.length >= each.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (fault.kind === 'trickle') {
      request.resume();
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => response.write(' '), fault.intervalMs);
      timers.add(timer);
      response.on('close', () => (clearInterval(timer), timers.delete(timer)));
      return;
    }
    if (fault.kind === 'scripted') {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        void Promise.resolve(fault.answer({ method: request.method ?? '', url: request.url ?? '', body }, url)).then(
          (answer) => {
            response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
            const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
            if (answer.trickleMs === undefined) return response.end(body);
            let sent = 0;
            const timer = setInterval(() => {
              if (sent < body.length) {
                response.write(body.charAt(sent));
                sent += 1;
              } else {
                clearInterval(timer);
                response.end();
              }
            }, answer.trickleMs);
            timers.add(timer);
            response.on('close', () => (clearInterval(timer), timers.delete(timer)));
          },
        );
      });
      return;
    }
    request.resume();
    if (fault.kind === 'silent') return;
    const status = fault.kind === 'status' ? fault.status : 200;
    response.writeHead(status, { 'Content-Type': 'text/plain', ...(fault.kind === 'status' ? fault.headers : {}) });
    response.end();
  };
  const server =
    fault.kind === 'tls'
      ? https.createServer(
          {
            cert: readFileSync(path.join(FIXTURES, 'self-signed-cert.pem')),
            key: readFileSync(path.join(FIXTURES, 'self-signed-key.pem')),
          },
          handler,
        )
      : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `${fault.kind === 'tls' ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url,
    requests,
    authorizations,
    received: (count = 1) =>
      new Promise<void>((resolve) => {
        if (requests.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
