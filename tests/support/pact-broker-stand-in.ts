import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * RETIRED: no test uses this any more; the pipeline is tested against a real broker (tests/e2e/) and faults
 * come from small local servers. It stays only because scripts/bench.ts still imports it for its publish
 * benchmark on this branch's base; delete this file once that import is gone.
 *
 * An in-process stand-in for the Pact Broker, for the calls our scripts make through the pact CLI.
 * It answers as the real broker does (pact_broker 2.120, see ../shared/reference/pact-broker-api.md):
 * the same paths, status codes, headers and bodies. Reading it is a short tour of the broker's API.
 *
 * - `GET /`                        HAL index; `publish` reads `pb:publish-contracts` from it
 * - `POST /contracts/publish`      one consumer version's pacts (200, 400, 409, 415, 406)
 * - `GET /matrix`                  can-i-deploy's question (see `Matrix` below)
 * - `GET /pacticipants/:p/versions/:v`  a version, with a `pb:record-deployment` link per environment
 * - `POST …/deployed-versions/environment/:uuid`  record-deployment (201)
 * - `GET /diagnostic/status/heartbeat`
 *
 * Basic auth (or a bearer token) is checked before anything else, as the broker's Rack middleware does.
 */

export type BrokerAuth =
  | { basic: { username: string; password: string }; readOnly?: { username: string; password: string } }
  | { bearer: string };

export interface Publication {
  consumer: string;
  provider: string;
  version: string;
  branch?: string;
  tags: string[];
  buildUrl?: string;
  onConflict: string;
  /** The pact as the CLI uploaded it (decoded and parsed: the CLI re-serialises, so bytes differ from the file). */
  pact: PactContent;
}

export interface PactContent {
  consumer?: { name?: unknown };
  provider?: { name?: unknown };
  interactions?: unknown[];
  metadata?: { pactSpecification?: { version?: unknown } };
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

/** A verification result the provider's build would have published, for the matrix. */
export interface Verification {
  consumer: string;
  consumerVersion: string;
  providerVersion: string;
  success: boolean;
}

export interface PactBrokerStandIn {
  url: string;
  /** Every request, in order, with its Authorization header (tests check it is never printed). */
  requests: RecordedRequest[];
  /** Every accepted publication, in order. */
  publications: Publication[];
  /** Answer the next `count` requests with `status` (default 503), before auth, as a proxy in front would. */
  failNext(count: number, status?: number): void;
  createEnvironment(name: string, production?: boolean): void;
  /** Record that the provider's build verified a consumer version's pact. */
  addVerification(verification: Verification): void;
  /** Record a pacticipant version as deployed to an environment (as record-deployment does). */
  deploy(pacticipant: string, version: string, environment: string): void;
  deployments: { pacticipant: string; version: string; environment: string; applicationInstance?: string }[];
  close(): Promise<void>;
}

interface Environment {
  uuid: string;
  name: string;
  displayName: string;
  production: boolean;
}

interface VersionRecord {
  branches: Set<string>;
  tags: Set<string>;
  buildUrl?: string;
}

const HAL = 'application/hal+json;charset=utf-8';

export async function startPactBroker(auth: BrokerAuth): Promise<PactBrokerStandIn> {
  const requests: RecordedRequest[] = [];
  const publications: Publication[] = [];
  const versions = new Map<string, VersionRecord>(); // key: `${pacticipant}/${version}`
  const pacts = new Map<string, { sha: string; content: PactContent }>(); // key: `${consumer}/${version}/${provider}`
  const environments: Environment[] = [];
  const verifications: Verification[] = [];
  const deployments: PactBrokerStandIn['deployments'] = [];
  let failures = { remaining: 0, status: 503 };

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const base = `http://${request.headers.host ?? '127.0.0.1'}`;
      const method = request.method ?? 'GET';
      requests.push({ method, path: url.pathname + url.search, authorization: request.headers.authorization });

      const send = (status: number, body?: unknown, contentType = HAL, extraHeaders: Record<string, string> = {}) => {
        const text = body === undefined ? '' : JSON.stringify(body);
        response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
        response.end(text);
      };

      if (failures.remaining > 0) {
        failures.remaining -= 1;
        return send(failures.status, undefined, 'text/plain');
      }

      const denied = authorise(auth, method, request.headers.authorization);
      if (denied === 401) {
        // Rack::Auth::Basic: empty body and the challenge, even for a read-only user who tries to write.
        return send(401, undefined, 'text/plain', { 'WWW-Authenticate': 'Basic realm="Restricted area"' });
      }
      if (denied === 400) return send(400, undefined, 'text/plain');

      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (method === 'GET' && path === '/') return send(200, index(base));
      if (method === 'GET' && path === '/diagnostic/status/heartbeat') {
        return send(200, { ok: true, _links: { self: { href: `${base}/diagnostic/status/heartbeat` } } });
      }
      if (method === 'POST' && path === '/contracts/publish') return publish(base, request.headers, raw, send);
      if (method === 'GET' && path === '/matrix') return matrix(url.searchParams, send);

      const version = /^\/pacticipants\/([^/]+)\/versions\/([^/]+)$/.exec(path);
      if (method === 'GET' && version) return showVersion(base, decodeURIComponent(version[1] ?? ''), decodeURIComponent(version[2] ?? ''), send);

      const deployment = /^\/pacticipants\/([^/]+)\/versions\/([^/]+)\/deployed-versions\/environment\/([^/]+)$/.exec(path);
      if (method === 'POST' && deployment) {
        return recordDeployment(base, decodeURIComponent(deployment[1] ?? ''), decodeURIComponent(deployment[2] ?? ''), deployment[3] ?? '', raw, send);
      }
      send(404, { error: 'The requested document was not found on this server.' }, 'application/json;charset=utf-8');
    });
  });

  type Send = (status: number, body?: unknown, contentType?: string, extraHeaders?: Record<string, string>) => void;

  function publish(base: string, headers: http.IncomingHttpHeaders, raw: string, send: Send): void {
    if (!(headers['content-type'] ?? '').includes('json')) return send(415, undefined, 'text/plain');
    const accept = headers.accept;
    if (accept && !accept.includes('application/hal+json') && !accept.includes('*/*')) return send(406, undefined, 'text/plain');

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      return send(400, { error: (error as Error).message }, 'application/json;charset=utf-8');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return send(400, { error: 'Expected a JSON object' }, 'application/json;charset=utf-8');
    }

    const { errors, request } = validatePublishRequest(body as Record<string, unknown>);
    if (Object.keys(errors).length > 0) return send(400, { errors }, HAL);

    const { pacticipantName: consumer, pacticipantVersionNumber: number, branch, tags, buildUrl, contracts } = request;
    // Conflicts are decided before anything is written: a version's pact may not change (409).
    for (const contract of contracts) {
      const existing = pacts.get(`${consumer}/${number}/${contract.providerName}`);
      if (existing && existing.sha !== contract.sha) {
        const text = `Cannot change the content of the pact for ${consumer} version ${number} and provider ${contract.providerName}, as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a unique consumer version number. Some Pact libraries generate random data when a concrete value for a type matcher is not specified, and this can cause the contract to mutate - ensure you have given example values for all type matchers. For more information see https://docs.pact.io/go/versioning`;
        return send(409, { notices: [{ type: 'error', text }, { type: 'info', text: 'The pact content differs from the one already published.' }], errors: { contracts: [text] } }, 'application/json;charset=utf-8');
      }
    }

    const versionKey = `${consumer}/${number}`;
    const created = !versions.has(versionKey);
    const record = versions.get(versionKey) ?? { branches: new Set<string>(), tags: new Set<string>() };
    if (branch) record.branches.add(branch);
    tags.forEach((tag) => record.tags.add(tag));
    if (buildUrl) record.buildUrl = buildUrl;
    versions.set(versionKey, record);

    const notices: { type: string; text: string }[] = [
      {
        type: 'debug',
        text: `${created ? 'Created' : 'Updated'} ${consumer} version ${number}${branch ? ` with branch ${branch}` : ''}${tags.length ? ` and tags ${tags.join(', ')}` : ''}`,
      },
    ];
    for (const contract of contracts) {
      const key = `${consumer}/${number}/${contract.providerName}`;
      const republished = pacts.has(key);
      pacts.set(key, { sha: contract.sha, content: contract.content });
      publications.push({ consumer, provider: contract.providerName, version: number, branch, tags, buildUrl, onConflict: contract.onConflict, pact: contract.content });
      notices.push({
        type: 'success',
        text: republished
          ? `Pact successfully republished for ${consumer} version ${number} and provider ${contract.providerName} with no content changes.`
          : `Pact successfully published for ${consumer} version ${number} and provider ${contract.providerName}.`,
      });
      notices.push({ type: 'debug', text: `  View the published pact at ${pactUrl(base, consumer, number, contract.providerName)}` });
    }

    const pacticipantHref = `${base}/pacticipants/${encodeURIComponent(consumer)}`;
    const versionHref = `${pacticipantHref}/versions/${encodeURIComponent(number)}`;
    send(200, {
      logs: notices.map(({ type, text }) => ({ level: type, message: text, deprecationWarning: 'Replaced by notices' })),
      notices,
      _embedded: {
        pacticipant: { name: consumer, _links: { self: { href: pacticipantHref } } },
        version: { number, _links: { self: { title: 'Version', name: number, href: versionHref } } },
      },
      _links: {
        'pb:pacticipant': { title: 'Pacticipant', name: consumer, href: pacticipantHref },
        'pb:pacticipant-version': { title: 'Pacticipant version', name: number, href: versionHref },
        'pb:pacticipant-version-tags': tags.map((tag) => ({ title: 'Tag', name: tag, href: `${versionHref}/tags/${encodeURIComponent(tag)}` })),
        'pb:contracts': contracts.map((contract) => ({
          title: 'Pact',
          name: `Pact between ${consumer} (${number}) and ${contract.providerName}`,
          href: pactUrl(base, consumer, number, contract.providerName),
        })),
      },
    });
  }

  /**
   * `GET /matrix?q[][pacticipant]=C&q[][version]=V&latestby=cvpv&environment=E`: can C version V be deployed to E?
   * For each provider version deployed in E: deployable when its verification of C version V's pact succeeded;
   * not deployable when it failed; unknown (null) when there is no result yet.
   */
  function matrix(query: URLSearchParams, send: Send): void {
    const pacticipants = query.getAll('q[][pacticipant]');
    const selectedVersions = query.getAll('q[][version]');
    const environmentName = query.get('environment');
    const consumer = pacticipants[0];
    const number = selectedVersions[0];
    if (!consumer || !number) return send(400, { errors: ['Please provide 1 or more version selectors.'] }, 'application/json;charset=utf-8');
    if (![...versions.keys()].some((key) => key.startsWith(`${consumer}/`))) {
      return send(400, { errors: [`Pacticipant ${consumer} not found`] }, 'application/json;charset=utf-8');
    }
    if (!versions.has(`${consumer}/${number}`)) {
      return send(400, { errors: [`No pacts or verifications have been published for version ${number} of ${consumer}`] }, 'application/json;charset=utf-8');
    }
    if (environmentName && !environments.some((environment) => environment.name === environmentName)) {
      return send(400, { errors: [`Environment with name '${environmentName}' does not exist`] }, 'application/json;charset=utf-8');
    }

    const rows: unknown[] = [];
    const reasons: string[] = [];
    let success = 0;
    let failed = 0;
    let unknown = 0;
    for (const [key, pact] of pacts) {
      const [pactConsumer, pactVersion, provider] = key.split('/');
      if (pactConsumer !== consumer || pactVersion !== number || !provider) continue;
      const providerVersions = deployments
        .filter((deployment) => deployment.pacticipant === provider && (!environmentName || deployment.environment === environmentName))
        .map((deployment) => deployment.version);
      if (providerVersions.length === 0) {
        unknown += 1;
        reasons.push(`There is no verified pact between version ${number} of ${consumer} and a version of ${provider} currently in ${environmentName ?? 'any environment'} (no version is currently recorded as deployed/released in this environment)`);
        rows.push(matrixRow(consumer, number, provider, null, pact.content, undefined));
        continue;
      }
      for (const providerVersion of providerVersions) {
        const result = verifications.find(
          (verification) => verification.consumer === consumer && verification.consumerVersion === number && verification.providerVersion === providerVersion,
        );
        if (result === undefined) {
          unknown += 1;
          reasons.push(`There is no verified pact between version ${number} of ${consumer} and the version of ${provider} currently in ${environmentName ?? 'the environment'} (${providerVersion})`);
        } else if (result.success) {
          success += 1;
        } else {
          failed += 1;
          reasons.push(`The verification for the pact between version ${number} of ${consumer} and the version of ${provider} currently in ${environmentName ?? 'the environment'} (${providerVersion}) failed`);
        }
        rows.push(matrixRow(consumer, number, provider, providerVersion, pact.content, result));
      }
    }
    const deployable = failed > 0 ? false : unknown > 0 ? null : true;
    const reason = deployable ? 'All required verification results are published and successful' : [...new Set(reasons)].join('\n');
    send(200, {
      summary: { deployable, reason, success, failed, unknown },
      notices: [{ type: deployable ? 'success' : deployable === false ? 'error' : 'warning', text: reason }],
      matrix: rows,
    });
  }

  function matrixRow(consumer: string, number: string, provider: string, providerVersion: string | null, content: PactContent, result: Verification | undefined) {
    return {
      consumer: { name: consumer, version: { number, branch: [...(versions.get(`${consumer}/${number}`)?.branches ?? [])][0] } },
      provider: { name: provider, version: providerVersion === null ? null : { number: providerVersion } },
      pact: { createdAt: '2026-01-01T00:00:00+00:00', interactions: content.interactions?.length ?? 0 },
      verificationResult: result === undefined ? null : { success: result.success, verifiedAt: '2026-01-01T00:00:00+00:00', _links: { self: { href: '/verification-results/1' } } },
    };
  }

  function showVersion(base: string, pacticipant: string, number: string, send: Send): void {
    if (!versions.has(`${pacticipant}/${number}`)) {
      return send(404, { error: 'The requested document was not found on this server.' }, 'application/json;charset=utf-8');
    }
    const href = `${base}/pacticipants/${encodeURIComponent(pacticipant)}/versions/${encodeURIComponent(number)}`;
    send(200, {
      number,
      _links: {
        self: { title: 'Version', name: number, href },
        'pb:record-deployment': environments.map((environment) => ({
          title: `Record deployment to ${environment.displayName}`,
          name: environment.name,
          href: `${href}/deployed-versions/environment/${environment.uuid}`,
        })),
      },
    });
  }

  function recordDeployment(base: string, pacticipant: string, number: string, environmentUuid: string, raw: string, send: Send): void {
    const environment = environments.find((candidate) => candidate.uuid === environmentUuid);
    if (!environment || !versions.has(`${pacticipant}/${number}`)) {
      return send(404, { error: 'The requested document was not found on this server.' }, 'application/json;charset=utf-8');
    }
    const body = (raw ? JSON.parse(raw) : {}) as { applicationInstance?: string };
    markDeployed(pacticipant, number, environment.name, body.applicationInstance);
    const uuid = randomUUID();
    send(
      201,
      {
        uuid,
        currentlyDeployed: true,
        target: body.applicationInstance ?? null,
        applicationInstance: body.applicationInstance ?? null,
        undeployedAt: null,
        createdAt: new Date().toISOString(),
        _embedded: { pacticipant: { name: pacticipant }, version: { number }, environment: { uuid: environment.uuid, name: environment.name } },
        _links: { self: { href: `${base}/deployed-versions/${uuid}` } },
      },
      HAL,
      { Location: `${base}/deployed-versions/${uuid}` },
    );
  }

  /** A deployment replaces the application's previous one in that environment (which becomes undeployed). */
  function markDeployed(pacticipant: string, number: string, environment: string, applicationInstance?: string): void {
    const previous = deployments.findIndex(
      (deployment) => deployment.pacticipant === pacticipant && deployment.environment === environment && deployment.applicationInstance === applicationInstance,
    );
    if (previous >= 0) deployments.splice(previous, 1);
    deployments.push({ pacticipant, version: number, environment, applicationInstance });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    publications,
    deployments,
    failNext(count, status = 503) {
      failures = { remaining: count, status };
    },
    createEnvironment(name, production = false) {
      environments.push({ uuid: randomUUID(), name, displayName: name.charAt(0).toUpperCase() + name.slice(1), production });
    },
    addVerification(verification) {
      verifications.push(verification);
    },
    deploy(pacticipant, version, environment) {
      if (!versions.has(`${pacticipant}/${version}`)) versions.set(`${pacticipant}/${version}`, { branches: new Set(), tags: new Set() });
      markDeployed(pacticipant, version, environment);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** 401 for missing or wrong credentials (and a read-only user writing), 400 for another scheme, else allowed. */
function authorise(auth: BrokerAuth, method: string, header: string | undefined): 401 | 400 | undefined {
  if ('bearer' in auth) return header === `Bearer ${auth.bearer}` ? undefined : 401;
  if (header === undefined) return 401;
  const [scheme, encoded = ''] = header.split(' ');
  if (scheme !== 'Basic') return 400;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const user = { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
  const matches = (expected: { username: string; password: string } | undefined) =>
    expected !== undefined && expected.username !== '' && expected.password !== '' && expected.username === user.username && expected.password === user.password;
  if (matches(auth.basic)) return undefined;
  if (matches(auth.readOnly) && ['GET', 'HEAD', 'OPTIONS'].includes(method)) return undefined;
  return 401;
}

function index(base: string) {
  return {
    _links: {
      self: { href: base, title: 'Index', templated: false },
      'pb:publish-contracts': { href: `${base}/contracts/publish`, title: 'Publish contracts', templated: false },
      'pb:publish-pact': {
        href: `${base}/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}`,
        title: 'Publish a pact',
        templated: true,
      },
      'pb:pacticipant-version': { href: `${base}/pacticipants/{pacticipant}/versions/{version}`, templated: true },
      'pb:environments': { href: `${base}/environments`, title: 'Environments', templated: false },
      curies: [{ name: 'pb', href: `${base}/doc/{rel}?context=index`, templated: true }],
    },
  };
}

function pactUrl(base: string, consumer: string, version: string, provider: string): string {
  return `${base}/pacts/provider/${encodeURIComponent(provider)}/consumer/${encodeURIComponent(consumer)}/version/${encodeURIComponent(version)}`;
}

interface ValidContract {
  providerName: string;
  content: PactContent;
  sha: string;
  onConflict: string;
}

interface ValidPublishRequest {
  pacticipantName: string;
  pacticipantVersionNumber: string;
  branch?: string;
  tags: string[];
  buildUrl?: string;
  contracts: ValidContract[];
}

/** The broker's publish schema: field errors keyed by field, per-contract ones under `contracts` with their index. */
function validatePublishRequest(body: Record<string, unknown>): { errors: Record<string, string[]>; request: ValidPublishRequest } {
  const errors: Record<string, string[]> = {};
  const fail = (field: string, message: string) => (errors[field] ??= []).push(message);
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  const multiline = (value: unknown) => typeof value === 'string' && /[\r\n]/.test(value);

  const { pacticipantName, pacticipantVersionNumber, branch, tags, buildUrl, contracts } = body;
  if (pacticipantName === undefined) fail('pacticipantName', 'is missing');
  else if (blank(pacticipantName)) fail('pacticipantName', 'must be filled');
  if (pacticipantVersionNumber === undefined) fail('pacticipantVersionNumber', 'is missing');
  else if (blank(pacticipantVersionNumber)) fail('pacticipantVersionNumber', 'must be filled');
  else if (multiline(pacticipantVersionNumber)) fail('pacticipantVersionNumber', 'cannot contain multiple lines');
  if (branch !== undefined && branch !== null && (blank(branch) || multiline(branch))) fail('branch', 'must be a non-blank single line');
  if (tags !== undefined && tags !== null && (!Array.isArray(tags) || tags.some(blank))) fail('tags', 'must be an array of non-blank strings');
  if (buildUrl !== undefined && buildUrl !== null && (typeof buildUrl !== 'string' || multiline(buildUrl))) fail('buildUrl', 'cannot contain multiple lines');
  if (!Array.isArray(contracts)) fail('contracts', contracts === undefined ? 'is missing' : 'must be an array');

  const valid: ValidContract[] = [];
  (Array.isArray(contracts) ? contracts : []).forEach((item: unknown, index) => {
    const at = ` (at index ${index})`;
    const contract = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const { consumerName, providerName, content, contentType, specification, onConflict = 'overwrite' } = contract;
    if (blank(consumerName)) fail('contracts', `consumerName is missing${at}`);
    if (blank(providerName)) fail('contracts', `providerName is missing${at}`);
    if (contentType !== 'application/json') fail('contracts', `contentType must be one of: application/json${at}`);
    if (specification !== 'pact') fail('contracts', `specification must be one of: pact${at}`);
    if (onConflict !== 'overwrite' && onConflict !== 'merge') fail('contracts', `onConflict must be one of: overwrite, merge${at}`);
    if (!blank(consumerName) && consumerName !== pacticipantName) {
      fail('contracts', `consumerName (${quoted(consumerName)}) must match pacticipantName (${quoted(pacticipantName)})${at}`);
    }
    const parsed = decodeContent(content);
    if (parsed === 'missing') return fail('contracts', `content is missing${at}`);
    if (parsed === 'not-base64') return fail('contracts', `content is not valid Base64${at}`);
    if (parsed === 'not-json') return fail('contracts', `content could not be parsed as application/json${at}`);
    if (parsed.consumer?.name !== undefined && parsed.consumer.name !== consumerName) {
      fail('contracts', `consumer name in contract content (${quoted(parsed.consumer.name)}) must match consumerName (${quoted(consumerName)})${at}`);
    }
    if (parsed.provider?.name !== undefined && parsed.provider.name !== providerName) {
      fail('contracts', `provider name in contract content (${quoted(parsed.provider.name)}) must match providerName (${quoted(providerName)})${at}`);
    }
    valid.push({ providerName: String(providerName), content: parsed, sha: contentSha(parsed), onConflict: String(onConflict) });
  });

  return {
    errors,
    request: {
      pacticipantName: String(pacticipantName),
      pacticipantVersionNumber: String(pacticipantVersionNumber),
      branch: typeof branch === 'string' ? branch : undefined,
      tags: Array.isArray(tags) ? tags.map(String) : [],
      buildUrl: typeof buildUrl === 'string' ? buildUrl : undefined,
      contracts: valid,
    },
  };
}

const quoted = (value: unknown) => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value));

function decodeContent(content: unknown): PactContent | 'missing' | 'not-base64' | 'not-json' {
  if (typeof content !== 'string' || content === '') return 'missing';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) return 'not-base64';
  try {
    const parsed: unknown = JSON.parse(Buffer.from(content, 'base64').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : 'not-json';
  } catch {
    return 'not-json';
  }
}

/**
 * "Same content" as the broker judges it: only what affects verification (the interactions, in any order,
 * and the specification version) counts; metadata such as library versions and key order do not.
 */
function contentSha(pact: PactContent): string {
  const interactions = (pact.interactions ?? []).map(canonicalJson).sort();
  return createHash('sha1')
    .update(canonicalJson({ interactions, specification: pact.metadata?.pactSpecification?.version ?? null }))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
