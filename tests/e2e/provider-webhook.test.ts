import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_FILE_NAME, startBrokerServer, type RunningBroker } from '../../broker/server';
import type { Consumer } from '../../scripts/lib/project';
import { PROVIDER } from '../../src/shared/provider';
import { brokerApi, type BrokerApi, type PactResource } from './broker-api';
import { freePort } from './real-broker';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';
import { createThrowawayProject, type ScriptRun, type ThrowawayProject } from './throwaway-project';

// npm run webhook:provider against a real broker: the webhook is created once and updated after, and when a
// changed pact is published the broker calls a small receiver on 127.0.0.1 with the pact's URL and the provider
// version to verify: the aggregator version deployed in production, which has verified the old pacts only.

const PRODUCTION_AGGREGATOR = '3.1.0';
const q = encodeURIComponent;

const user = (role: string) => ({
  username: `${role}-${randomBytes(3).toString('hex')}`,
  password: randomBytes(18).toString('base64url'),
});

interface Call {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: { event_type?: string; client_payload?: Record<string, string> };
}

/** An HTTP server on 127.0.0.1 that answers 200 to everything and keeps each request. */
async function startReceiver(): Promise<{ url: string; calls: Call[]; close(): Promise<void> }> {
  const calls: Call[] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      calls.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: JSON.parse(text || '{}') as Call['body'],
      });
      response.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/repos/team/aggregator/dispatches`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(['SQLite', 'PostgreSQL'])('the provider webhook on a real broker on %s', (database) => {
  const users = { readWrite: user('rw'), readOnly: user('ro') };
  const token = `ghp_${randomBytes(16).toString('hex')}`;
  let postgres: ThrowawayPostgres | undefined;
  let dataDir: string;
  let broker: RunningBroker;
  let api: BrokerApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let project: ThrowawayProject;
  let consumers: Consumer[];
  const outputs: string[] = [];

  const writer = () => ({
    PACT_BROKER_URL: broker.url,
    BROKER_USERNAME: users.readWrite.username,
    BROKER_PASSWORD: users.readWrite.password,
  });
  async function run(script: string, env: Record<string, string>): Promise<ScriptRun> {
    const result = await project.runScript(script, [], env);
    outputs.push(result.output);
    return result;
  }
  const configure = () =>
    run('provider-webhook', { ...writer(), PROVIDER_WEBHOOK_URL: receiver.url, PROVIDER_WEBHOOK_TOKEN: token });
  const publish = () => run('publish-pact', { ...writer(), GIT_BRANCH: 'main' });

  beforeAll(async () => {
    postgres = database === 'PostgreSQL' ? await startThrowawayPostgres() : undefined;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-webhook-'));
    [broker, receiver] = await Promise.all([
      startBrokerServer({
        ...users,
        port: await freePort(),
        database: postgres ? { url: postgres.url } : { file: path.join(dataDir, DATABASE_FILE_NAME) },
      }),
      startReceiver(),
    ]);
    api = brokerApi({ url: broker.url, ...users });
    project = createThrowawayProject();
    consumers = project.consumers();
    await project.runContractSpecs();
    expect((await publish()).code).toBe(0);
    // The provider team: the aggregator in production has verified today's pacts.
    const commit = project.git('rev-parse', 'HEAD');
    for (const consumer of consumers) {
      const pact = await api.read<{ _links: Record<string, { href: string }> }>(
        `/pacts/provider/${PROVIDER}/consumer/${q(consumer.pacticipant)}/version/${commit}`,
      );
      const href = pact._links['pb:publish-verification-results']?.href ?? '';
      const published = await api.post(new URL(href).pathname, {
        success: true,
        providerApplicationVersion: PRODUCTION_AGGREGATOR,
      });
      expect(published.status).toBe(201);
    }
    expect((await api.post('/environments', { name: 'production', production: true })).status).toBe(201);
    const version = await api.version(PROVIDER, PRODUCTION_AGGREGATOR);
    const record = version.body._links['pb:record-deployment'].find((link) => link.name === 'production');
    expect((await api.post(new URL(record?.href ?? '').pathname, {})).status).toBe(201);
  }, 240_000);

  afterAll(async () => {
    project?.remove();
    await Promise.all([broker?.stop(), receiver?.close()]);
    postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    const secrets = [users.readWrite.password, token, postgres?.password].filter(Boolean);
    for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret);
  });

  it('creates one webhook per consumer, and updates the same ones when run again', async () => {
    const first = await configure();
    const second = await configure();

    expect([first.code, second.code]).toEqual([0, 0]);
    for (const consumer of consumers) {
      expect(first.stdout).toMatch(new RegExp(`✓ ${consumer.pacticipant}: webhook \\S+ created`));
      expect(second.stdout).toMatch(new RegExp(`✓ ${consumer.pacticipant}: webhook \\S+ updated`));
    }
    const listed = await api.read<{ _links: { 'pb:webhooks': { name: string }[] } }>('/webhooks');
    expect(listed._links['pb:webhooks']).toHaveLength(consumers.length);
  });

  it('has the broker call the receiver with the pact URL and the provider version when a changed pact is published', async () => {
    const changed = consumers[0] as Consumer;
    const spec = `tests/contracts/${changed.folder}.pact.test.ts`;
    project.write(
      spec,
      `${project.read(spec)}
// Added by the e2e webhook test: a new need of this consumer.
import { contractWithAggregator as e2eContract } from './contract-with-aggregator';
import { PACTICIPANT as E2E_PACTICIPANT } from '../../src/${changed.folder}/pacticipant';

const e2eAggregator = e2eContract(E2E_PACTICIPANT);

it('lists the continents', async () => {
  await e2eAggregator
    .addInteraction()
    .uponReceiving('a request for the continents')
    .withRequest('GET', '/continents')
    .willRespondWith(200, (response) => response.jsonBody([{ name: 'Asia' }]))
    .executeTest(async (server) => {
      expect((await fetch(server.url + '/continents')).status).toBe(200);
    });
});
`,
    );
    const commit = project.commit(`${changed.pacticipant} needs the continents`);
    await project.runContractSpecs();

    expect((await publish()).code).toBe(0);

    // The broker waits about 5 s before it runs a webhook.
    const deadline = Date.now() + 60_000;
    while (receiver.calls.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(receiver.calls).toHaveLength(1);
    const call = receiver.calls[0] as Call;
    expect(call).toMatchObject({
      method: 'POST',
      url: '/repos/team/aggregator/dispatches',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: {
        event_type: 'contract_requiring_verification_published',
        client_payload: {
          provider_version: PRODUCTION_AGGREGATOR,
          consumer: changed.pacticipant,
          consumer_version: commit,
          consumer_version_branch: 'main',
        },
      },
    });
    // The pact it names is the changed one.
    const pactUrl = new URL(call.body.client_payload?.pact_url ?? '');
    expect(pactUrl.origin).toBe(broker.url);
    const pact = await api.read<PactResource>(pactUrl.pathname);
    expect(pact.consumer.name).toBe(changed.pacticipant);
    expect(pact.interactions.map((interaction) => interaction.description)).toContain('a request for the continents');
  });
});
