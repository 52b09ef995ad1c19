import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { text } from 'node:stream/consumers';
import tls from 'node:tls';
import type { BrokerConfig } from './broker-config';

/**
 * An answer to our own request to the broker's HAL API, made with the step's credentials, CA bundle, proxy and deadline.
 * Redirects are never followed: credentials go only to PACT_BROKER_URL.
 */
export type BrokerAnswer =
  | { status: number; statusText: string; body: unknown; location?: string; retryAfter?: string; path: string }
  | { transport: string; path: string }
  | { timedOut: true; path: string };

export function parseJson(json: string | undefined): unknown {
  try {
    return json ? JSON.parse(json) : undefined;
  } catch {
    return undefined;
  }
}

/** The proxy the environment names for `url`, as the pact CLI reads it; `address` (host:port only, never its credentials) is for messages. */
export function proxyFor(
  url: string,
  env: BrokerConfig['env'],
): { variable: string; url: string; address: string } | undefined {
  const { protocol, hostname } = new URL(url);
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((entry) => entry.trim().replace(/^\*?\./, ''));
  if (
    noProxy.some((entry) => entry === '*' || (entry !== '' && (hostname === entry || hostname.endsWith(`.${entry}`))))
  )
    return undefined;
  const scheme = protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  const variable = [scheme, scheme.toLowerCase(), 'ALL_PROXY', 'all_proxy'].find((name) => env[name]);
  const proxy = variable && env[variable];
  return variable && proxy ? { variable, url: proxy, address: URL.parse(proxy)?.host ?? '(not a URL)' } : undefined;
}

/** One request, no retries. `target` is a path, or a HAL link whose path is taken against the base URL (as the CLI does). */
function once(
  config: BrokerConfig,
  method: string,
  target: string,
  body: unknown,
  deadline: number,
): Promise<BrokerAnswer> {
  const base = new URL(config.baseUrl);
  const link = new URL(target, `${config.baseUrl}/`);
  const path = target.startsWith('/')
    ? `${base.pathname.replace(/\/$/, '')}${target}`
    : `${link.pathname}${link.search}`;
  const url = new URL(path, base.origin);
  const secure = url.protocol === 'https:';
  // The agent gets only the proxy proxyFor names, so our requests and our messages about them agree.
  const proxy = proxyFor(url.href, config.env);
  const proxyEnv = proxy && { [secure ? 'HTTPS_PROXY' : 'HTTP_PROXY']: proxy.url };
  const ca = config.env.SSL_CERT_FILE
    ? [...tls.rootCertificates, readFileSync(config.env.SSL_CERT_FILE, 'utf8')]
    : undefined;
  const agent = secure ? new https.Agent({ proxyEnv, ca }) : new http.Agent({ proxyEnv });
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Accept: 'application/hal+json, application/json' };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  const { auth } = config;
  if (auth)
    headers.Authorization =
      auth.kind === 'basic'
        ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
        : `Bearer ${auth.token}`;
  return new Promise((resolve) => {
    const request = (secure ? https : http).request(
      url,
      { method, headers, agent, timeout: Math.max(1, deadline - Date.now()) },
      (response) => {
        const {
          statusCode = 0,
          statusMessage = '',
          headers: { location, 'retry-after': retryAfter },
        } = response;
        text(response).then(
          (answer) =>
            resolve({
              status: statusCode,
              statusText: statusMessage,
              body: parseJson(answer),
              location,
              retryAfter,
              path,
            }),
          (error: NodeJS.ErrnoException) => resolve({ transport: error.code ?? 'error', path }),
        );
      },
    );
    request.on('timeout', () => {
      request.destroy();
      resolve({ timedOut: true, path });
    });
    // A proxy's 407 to CONNECT (an https broker) arrives as an error, not an answer.
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ transport: `${error.code ?? 'error'}${/\b407\b/.test(error.message) ? ' 407' : ''}`, path }),
    );
    request.end(payload);
  });
}

/** A request, tried up to `config.attempts` times on 5xx, 408, 429 and connection errors (0.5 s, 1 s, 2 s … apart) until the deadline. */
export async function brokerRequest(
  config: BrokerConfig,
  method: 'GET' | 'POST',
  target: string,
  deadline: number,
  body?: unknown,
): Promise<BrokerAnswer> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await once(config, method, target, body, deadline);
    const retry =
      'transport' in answer ||
      ('status' in answer && (answer.status >= 500 || answer.status === 408 || answer.status === 429));
    const wait = 500 * 2 ** (attempt - 1);
    if (!retry || attempt >= config.attempts || Date.now() + wait >= deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
