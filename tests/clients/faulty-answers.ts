import type { FaultyAnswer } from './fixture-server';

// Servers that misbehave on purpose, for the shared transport's fault tests (aggregator-http.faults.test.ts):
// each is a FaultyAnswer for a fixture server (fixture-server.ts).

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * A valid JSON body (`[` spaces `]`) sent one byte every `intervalMs`, `bytes` times: never idle long enough for
 * an idle timeout, so only a deadline for the whole request stops it. Stops when the client goes.
 */
export function trickle({ intervalMs, bytes }: { intervalMs: number; bytes: number }): FaultyAnswer {
  return (_request, response) => {
    response.writeHead(200, JSON_HEADERS);
    response.write('[');
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      if (sent < bytes) {
        response.write(' ');
      } else {
        clearInterval(timer);
        response.end(']');
      }
    }, intervalMs);
    response.on('close', () => clearInterval(timer));
  };
}

/** Status and headers at once, then silence until the client gives up. */
export const headersThenSilence: FaultyAnswer = (_request, response) => {
  response.writeHead(200, JSON_HEADERS);
  response.flushHeaders();
};

/** Announces `announcedBytes` of body, sends `sentBody`, then closes the connection (with a TCP reset if `reset`). */
export function cutOffBody({
  announcedBytes,
  sentBody,
  reset = false,
}: {
  announcedBytes: number;
  sentBody: string;
  reset?: boolean;
}): FaultyAnswer {
  return (_request, response) => {
    response.writeHead(200, { ...JSON_HEADERS, 'Content-Length': String(announcedBytes) });
    // A moment for the client to read what was sent: a reset discards data the peer has not read yet.
    const close = () => (reset ? response.socket?.resetAndDestroy() : response.socket?.destroy());
    response.write(sentBody, () => setTimeout(close, 50));
  };
}

/** Closes the connection as soon as the request arrives, before any status line. */
export const dropBeforeAnswering: FaultyAnswer = (request) => {
  request.socket.destroy();
};

/** Writes bytes that are not an HTTP response straight onto the socket. */
export const notHttp: FaultyAnswer = (request) => {
  request.socket.end('this is not HTTP\r\n\r\n');
};

export interface StreamObservation {
  /** Body bytes the server handed to the socket. */
  bytesWritten: number;
  /** Resolves once the response is over: true if the client closed it before the whole body was written. */
  closedEarly: Promise<boolean>;
}

/**
 * A JSON array padded with spaces to `totalBytes`, written in chunks as fast as the client reads (honouring
 * back-pressure, so the server never buffers it all either). Records how much it wrote before the client went.
 */
export function largeBody({ totalBytes, chunkBytes = 64 * 1024 }: { totalBytes: number; chunkBytes?: number }): {
  answer: FaultyAnswer;
  observed: StreamObservation;
} {
  let settle: (closedEarly: boolean) => void = () => undefined;
  const observed: StreamObservation = { bytesWritten: 0, closedEarly: new Promise((resolve) => (settle = resolve)) };
  const padding = Buffer.alloc(chunkBytes, ' ');
  const answer: FaultyAnswer = (_request, response) => {
    response.writeHead(200, { ...JSON_HEADERS, 'Content-Length': String(totalBytes) });
    response.on('close', () => settle(observed.bytesWritten < totalBytes));
    const writeMore = (): void => {
      while (!response.destroyed && observed.bytesWritten < totalBytes) {
        const remaining = totalBytes - observed.bytesWritten;
        const chunk =
          observed.bytesWritten === 0
            ? Buffer.from('[')
            : remaining === 1
              ? Buffer.from(']')
              : padding.subarray(0, Math.min(chunkBytes, remaining - 1));
        observed.bytesWritten += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', writeMore);
          return;
        }
      }
      if (!response.destroyed) response.end();
    };
    writeMore();
  };
  return { answer, observed };
}
