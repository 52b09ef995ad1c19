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
  close(): Promise<void>;
}

export type Fault = { kind: 'silent' } | { kind: 'status'; status: number; headers?: Record<string, string> } | { kind: 'tls' };

// A self-signed certificate for 127.0.0.1 (test-only key, valid until 2126): no CA vouches for it.
const FIXTURES = path.join(__dirname, 'tls');

export async function startFaultServer(fault: Fault): Promise<FaultServer> {
  const requests: string[] = [];
  const handler: http.RequestListener = (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    if (fault.kind === 'silent') return;
    const status = fault.kind === 'status' ? fault.status : 200;
    response.writeHead(status, { 'Content-Type': 'text/plain', ...(fault.kind === 'status' ? fault.headers : {}) });
    response.end();
  };
  const server =
    fault.kind === 'tls'
      ? https.createServer({ cert: readFileSync(path.join(FIXTURES, 'self-signed-cert.pem')), key: readFileSync(path.join(FIXTURES, 'self-signed-key.pem')) }, handler)
      : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${fault.kind === 'tls' ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
