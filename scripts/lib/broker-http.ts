import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { BROKER_VARIABLES, type BrokerConfig } from './broker-config';
import { count, parseJson } from './script';
import { screened, WITHHELD } from './secrets';

/**
 * An answer to our own request to the broker's HAL API, made with the step's credentials, CA bundle, proxy and deadline.
 * Redirects are never followed: credentials go only to PACT_BROKER_URL.
 */
export type BrokerAnswer =
  | { status: number; statusText: string; body: unknown; location?: string; retryAfter?: string; path: string }
  | { transport: string; path: string }
  | { timedOut: true; path: string };

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

/** The most of an answer read: more is no broker's answer to our requests. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * A HAL link of the broker's as a path under PACT_BROKER_URL, or why it is not followed: only a link that resolves to
 * the configured origin and stays under its base path is used, so no credential goes anywhere else. A scheme-relative
 * `//host/…` link is another host, not a path.
 */
export function brokerLink(config: BrokerConfig, href: unknown): { path: string } | { refused: string } {
  const base = new URL(`${config.baseUrl}/`);
  const link = typeof href === 'string' ? URL.parse(href, base.href) : null;
  if (!link || (link.protocol !== 'http:' && link.protocol !== 'https:'))
    return { refused: `its link ${JSON.stringify(String(href).slice(0, 80))} is not an http(s) URL` };
  if (link.origin !== base.origin)
    return {
      refused: `its link points to ${link.origin}, not to PACT_BROKER_URL (${base.origin}): links elsewhere are never followed, so no credential leaves the broker (if that is the broker's own address, set PACT_BROKER_URL to it)`,
    };
  if (!link.pathname.startsWith(base.pathname))
    return {
      refused: `its link ${link.pathname} is outside PACT_BROKER_URL's path ${base.pathname}: such links are never followed`,
    };
  return { path: `/${link.pathname.slice(base.pathname.length)}${link.search}` };
}

/** One request, no retries, to `target`: a path under the base URL (ours, or one brokerLink gave). The deadline covers connect, headers and body. */
function once(
  config: BrokerConfig,
  method: string,
  target: string,
  body: unknown,
  deadline: number,
): Promise<BrokerAnswer> {
  // A path of ours always starts with one "/": "//host" would be another host.
  if (!/^\/(?!\/)/.test(target)) throw new Error(`not a path under the broker's base URL: ${target}`);
  const base = new URL(config.baseUrl);
  const path = `${base.pathname.replace(/\/$/, '')}${target}`;
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
    let settled = false;
    const settle = (answer: BrokerAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      agent.destroy();
      resolve(answer);
    };
    const request = (secure ? https : http).request(url, { method, headers, agent }, (response) => {
      const {
        statusCode = 0,
        statusMessage = '',
        headers: { location, 'retry-after': retryAfter },
      } = response;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) settle({ transport: 'an answer over 32 MiB', path });
        else chunks.push(chunk);
      });
      response.on('end', () =>
        settle({
          status: statusCode,
          statusText: statusMessage,
          body: parseJson(Buffer.concat(chunks).toString('utf8')),
          location,
          retryAfter,
          path,
        }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => settle({ transport: error.code ?? 'error', path }));
    });
    // One deadline for connect, headers and the whole body: a broker that trickles its answer is stopped at it too.
    const timer = setTimeout(() => settle({ timedOut: true, path }), Math.max(1, deadline - Date.now()));
    // A proxy's 407 to CONNECT (an https broker) arrives as an error, not an answer.
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ transport: `${error.code ?? 'error'}${/\b407\b/.test(error.message) ? ' 407' : ''}`, path }),
    );
    request.end(payload);
  });
}

/** A request, tried up to `config.attempts` times on 5xx, 408, 429 and connection errors (0.5 s, 1 s, 2 s … apart) until the deadline. */
export async function brokerRequest(
  config: BrokerConfig,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
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

export type StepName =
  'publish' | 'can-i-deploy' | 'record-deployment' | 'diff:pact' | 'delete-branch' | 'webhook:provider';

/**
 * For a 404 that would mean "the broker has never seen it": undefined when PACT_BROKER_URL is a Pact Broker's root
 * (its index links to the pacticipants), else why not, so that a wrong URL or path prefix never reads as an empty broker.
 */
export async function notBrokerRoot(
  config: BrokerConfig,
  step: StepName,
  deadline: number,
): Promise<string | undefined> {
  const index = await brokerRequest(config, 'GET', '/', deadline);
  if (!('status' in index) || index.status !== 200) return explainBrokerAnswer(index, config, step, deadline);
  const links = (index.body as { _links?: Record<string, unknown> } | undefined)?._links;
  return typeof links === 'object' && links !== null && 'pb:pacticipants' in links
    ? undefined
    : `the root of PACT_BROKER_URL (${config.baseUrl}) is not a Pact Broker's index: set PACT_BROKER_URL to the broker's root, with its path prefix if it has one.`;
}

function brokerReasons(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors)) return errors.map(String);
  if (errors && typeof errors === 'object')
    return Object.entries(errors).flatMap(([field, messages]) =>
      (Array.isArray(messages) ? messages : [messages]).map((message) => `${field}: ${String(message)}`),
    );
  return [];
}

/** For a `pb:record-deployment` link missing, or can-i-deploy's 400. */
export const noEnvironment = (name: string) =>
  `the broker has no environment "${name}": check the name, or create it once with: pact broker create-environment --name ${name}`;

/** One line saying what went wrong with the broker (or the proxy before it) and what to do. */
export function explainBrokerAnswer(
  answer: BrokerAnswer,
  config: BrokerConfig,
  step: StepName,
  deadline: number,
): string {
  const proxy = proxyFor(config.baseUrl, config.env);
  const through = proxy ? ` through the proxy in ${proxy.variable} (${proxy.address})` : '';
  if ('timedOut' in answer)
    return `the broker at ${config.baseUrl} did not answer within ${config.timeoutSeconds} s${through} (PACT_BROKER_TIMEOUT_SECONDS bounds the whole step): check that it is up and that PACT_BROKER_URL points at it.`;
  // A proxy's 407 is an answer to a plain request, and a transport error to CONNECT (an https broker).
  if ('status' in answer ? answer.status === 407 : answer.transport.endsWith(' 407')) {
    return proxy
      ? `the proxy in ${proxy.variable} (${proxy.address}) asked for credentials (407 Proxy Authentication Required): give them in ${proxy.variable} (http://user:password@host:port), or add the broker's host to NO_PROXY.`
      : 'something between here and the broker asked for proxy credentials (407 Proxy Authentication Required): set HTTP_PROXY/HTTPS_PROXY to that proxy, with its credentials.';
  }
  if ('transport' in answer) {
    const cause = answer.transport;
    if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS/.test(cause) && !/PROXY/.test(cause)) {
      return `the broker's TLS certificate at ${config.baseUrl} failed verification (${cause}): if a private CA signed it, set SSL_CERT_FILE to that CA's certificate (PEM). Verification is never skipped.`;
    }
    if (proxy && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH)$|PROXY/.test(cause)) {
      return `could not reach the broker at ${config.baseUrl}${through} (${cause}): the proxy is down or wrong; fix ${proxy.variable}, or add the broker's host to NO_PROXY if it needs no proxy.`;
    }
    return `could not reach the broker at ${config.baseUrl}${through} (${cause}, ${count(config.attempts, 'attempt')}): check that it is up and that PACT_BROKER_URL points at it.`;
  }
  const { status, statusText, body, path: where } = answer;
  const reasons = brokerReasons(body).map((reason) => screened(reason, config) ?? WITHHELD);
  const environment = /Environment with name '([^']+)' does not exist/.exec(reasons.join(' '))?.[1];
  const auth = config.auth;
  if (status >= 300 && status < 400) {
    const location = answer.location === undefined ? undefined : URL.parse(answer.location, `${config.baseUrl}/`);
    const to =
      answer.location === undefined
        ? ' without a Location'
        : location
          ? ` to ${location.origin === new URL(config.baseUrl).origin ? location.pathname : location.origin}`
          : ' to a Location that is not a URL';
    return `the broker answered ${status} ${statusText}${to} for ${where}: redirects are never followed (the answer must come from PACT_BROKER_URL, and credentials go only there); set PACT_BROKER_URL to the broker's real address.`;
  }
  if (status === 401) {
    const check =
      auth?.kind === 'basic'
        ? `${auth.usernameVariable} and ${auth.passwordVariable}`
        : (auth?.tokenVariable ?? 'the credentials');
    const readOnly = {
      publish: ' (a read-only user cannot publish)',
      'record-deployment': ' (a read-only user cannot record deployments)',
      'delete-branch': ' (a read-only user cannot delete branches)',
      'webhook:provider': ' (a read-only user cannot change webhooks)',
      'can-i-deploy': '',
      'diff:pact': '',
    }[step];
    return `the broker refused the credentials (401 Unauthorized): check ${check}${readOnly}.`;
  }
  if (status === 403) return 'the broker refused access (403 Forbidden): the user lacks permission for this.';
  if (status === 409)
    return `the broker already holds a different pact for this consumer version (409 Conflict): a published version cannot change. Commit the change (a new commit is a new version), run the tests and publish again.${reasons.length > 0 ? ` The broker: ${reasons.join(' ')}` : ''}`;
  if (status === 413)
    return 'the broker (or a proxy in front of it) refused the request as too large (413 Payload Too Large): keep the pact smaller, or ask its operators to raise the body-size limit.';
  if (status === 429) {
    const retryAfter = /^\d{1,9}$/.test(answer.retryAfter ?? '') ? `${answer.retryAfter} s` : undefined;
    if (retryAfter && Date.now() >= deadline - 1000)
      return `the broker is rate limiting (429 Too Many Requests, Retry-After: ${retryAfter}), and the step ran out of PACT_BROKER_TIMEOUT_SECONDS (${config.timeoutSeconds} s): run it again later, or ask the broker's operators about the limit.`;
    return `the broker kept answering 429 Too Many Requests (rate limited) to each of ${count(config.attempts, 'attempt')}: wait a while and run the step again, or ask its operators about the limit.`;
  }
  if (status === 400 && environment) return noEnvironment(environment);
  if (status === 400 && reasons.length === 0 && auth?.kind === 'token') {
    return `the broker answered 400 Bad Request to the bearer token: a broker with basic auth answers so to any other scheme. Set ${BROKER_VARIABLES.username[0]} and ${BROKER_VARIABLES.password[0]} instead of ${auth.tokenVariable}.`;
  }
  if (status === 404)
    return `the broker answered 404 Not Found for ${where}: PACT_BROKER_URL (${config.baseUrl}) is probably not the broker's root; check its path prefix (the root's page is the broker's index).`;
  if (status >= 500)
    return `the broker answered ${status} ${statusText} to each of ${count(config.attempts, 'attempt')}: it is failing; try again later or ask its operators.`;
  return `the broker answered ${status} ${statusText}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}.`;
}

/** The broker's environment named `name`: its uuid, none when the broker has no such environment, or why it would not say. */
export async function findEnvironment(
  broker: BrokerConfig,
  name: string,
  step: StepName,
  deadline: number,
): Promise<{ uuid?: string } | { failure: string }> {
  const listed = await brokerRequest(broker, 'GET', '/environments', deadline);
  if (!('status' in listed) || listed.status !== 200)
    return { failure: `GET /environments: ${explainBrokerAnswer(listed, broker, step, deadline)}` };
  type Environments = { _embedded?: { environments?: { name?: unknown; uuid?: unknown }[] } };
  const found = (listed.body as Environments | undefined)?._embedded?.environments?.find(
    (each) => each.name === name && typeof each.uuid === 'string',
  );
  return { uuid: found?.uuid as string | undefined };
}
