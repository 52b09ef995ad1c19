import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status: number;
  body?: string | Buffer;
  contentType?: string;
  /** More response headers, e.g. Location or Content-Encoding. */
  headers?: Record<string, string>;
  /** Never answer: for timeouts. */
  hang?: boolean;
}

/** Answers a request some other way than a ScriptedAnswer can (slowly, partly, wrongly). */
export type FaultyAnswer = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface FixtureServer {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Cuts every connection, ending any faulty answer still running; the server goes on listening. */
  closeConnections(): void;
  close(): Promise<void>;
}

function respond(
  answer: ScriptedAnswer | FaultyAnswer,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): void {
  if (typeof answer === 'function') return answer(request, response);
  if (answer.hang) return;
  response.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json', ...answer.headers });
  response.end(answer.body ?? '');
}

/** A plain local HTTP server that answers every request with `answer`, for the clients' unit tests. */
export async function startFixtureServer(answer: ScriptedAnswer | FaultyAnswer): Promise<FixtureServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    respond(answer, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closeConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Destroying the connections also ends every faulty answer still running (they stop on 'close').
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface FileFixtureServer {
  /** The server's URL; it answers the running test's requests with what the test last passed to `answerWith`. */
  answerWith(answer: ScriptedAnswer | FaultyAnswer): string;
  /** Paths requested during the running test, in order. */
  readonly requests: readonly string[];
}

/**
 * One fixture server for a whole test file (started before its first test, closed after its last), answering
 * each test as that test scripts it: starting and closing a server per test cost more than the requests did.
 * After each test its connections are cut, which ends any faulty answer still running and leaves no kept-alive
 * socket for the next test's client, and its request log starts again. Call it at the top of a test file.
 */
export function fixtureServerPerFile(): FileFixtureServer {
  const unscripted: ScriptedAnswer = { status: 500, body: 'no answer scripted for this test' };
  let answer: ScriptedAnswer | FaultyAnswer = unscripted;
  let server: FixtureServer | undefined;
  beforeAll(async () => {
    server = await startFixtureServer((request, response) => respond(answer, request, response));
  });
  afterEach(() => {
    server?.closeConnections();
    server?.requests.splice(0);
    answer = unscripted;
  });
  afterAll(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    answerWith(next) {
      if (server === undefined)
        throw new Error(
          "answerWith() is for tests: the server listens from the file's first beforeAll to its last afterAll",
        );
      answer = next;
      return server.url;
    },
    get requests() {
      return server?.requests ?? [];
    },
  };
}

/** A URL on which nothing listens: a port that was free a moment ago. */
export async function unusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
