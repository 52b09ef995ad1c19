import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startRealBroker, type RealBroker } from './real-broker';
import type { BrokerUser } from '../../broker/server';

// The throwaway real broker of real-broker.ts: basic auth as configured, public heartbeat only.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(method: string, url: string, user?: BrokerUser, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/hal+json' };
    if (user) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const req = http.request(url, { method, headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let broker: RealBroker;

beforeAll(async () => {
  broker = await startRealBroker();
});
afterAll(() => broker?.close());

describe('a throwaway real Pact Broker', () => {
  it('listens on 127.0.0.1 only, on the port it says', () => {
    expect(broker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers its heartbeat without credentials', async () => {
    const answer = await request('GET', `${broker.url}/diagnostic/status/heartbeat`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true });
  });

  it('refuses its index without credentials, with a Basic challenge', async () => {
    const answer = await request('GET', `${broker.url}/`);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Basic realm="Restricted area"');
  });

  it('refuses a wrong password', async () => {
    const answer = await request('GET', `${broker.url}/`, { username: broker.readWrite.username, password: 'wrong' });
    expect(answer.status).toBe(401);
  });

  it('serves its index to the read/write user, with links to itself and the publish endpoint', async () => {
    const answer = await request('GET', `${broker.url}/`, broker.readWrite);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-pact-broker-version']).toBe('2.120.0');
    const index = JSON.parse(answer.body) as { _links: Record<string, { href?: string }> };
    expect(index._links['pb:publish-contracts']?.href).toBe(`${broker.url}/contracts/publish`);
  });

  it('lets the read/write user write and the read-only user read but not write', async () => {
    const created = await request('POST', `${broker.url}/pacticipants`, broker.readWrite, { name: 'consumer_a' });
    expect(created.status).toBe(201);

    const read = await request('GET', `${broker.url}/pacticipants/consumer_a`, broker.readOnly);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ name: 'consumer_a' });

    // The stock broker answers a read-only user's write with 401 (a new challenge), not 403.
    const refused = await request('POST', `${broker.url}/pacticipants`, broker.readOnly, { name: 'consumer_b' });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="Restricted area"');
    const refusedUpdate = await request('PATCH', `${broker.url}/pacticipants/consumer_a`, broker.readOnly, {
      displayName: 'A',
    });
    expect(refusedUpdate.status).toBe(401);
    const stillMissing = await request('GET', `${broker.url}/pacticipants/consumer_b`, broker.readWrite);
    expect(stillMissing.status).toBe(404);
  });

  it('starts empty (no example data), so a test finds only what it put there', async () => {
    const answer = await request('GET', `${broker.url}/pacticipants`, broker.readOnly);
    const names = (
      JSON.parse(answer.body) as { _embedded: { pacticipants: { name: string }[] } }
    )._embedded.pacticipants.map((p) => p.name);
    expect(names).toEqual(['consumer_a']);
  });

  // Last: it stops the shared broker.
  it('close() ends the whole process group, frees the port and removes the temp folder', async () => {
    expect(existsSync(path.join(broker.dataDir, 'pact_broker.sqlite3'))).toBe(true);
    expect(processGroupAlive(broker.pid)).toBe(true);

    await broker.close();

    expect(processGroupAlive(broker.pid)).toBe(false);
    expect(existsSync(path.join('/proc', String(broker.pid)))).toBe(false);
    await expect(request('GET', `${broker.url}/diagnostic/status/heartbeat`)).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(broker.dataDir)).toBe(false);
  });
});

describe('a broker whose launcher dies', () => {
  it('stops itself when the process that started it is killed with SIGKILL', async () => {
    const launcher = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'real-broker-process.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const deadline = Date.now() + 90_000;
    while (!/READY \d+/.test(output) && launcher.exitCode === null && Date.now() < deadline) await sleep(100);
    const pid = Number(/READY (\d+)/.exec(output)?.[1]);
    expect(processGroupAlive(pid)).toBe(true);

    launcher.kill('SIGKILL');

    const gone = Date.now() + 20_000;
    while (processGroupAlive(pid) && Date.now() < gone) await sleep(100);
    expect(processGroupAlive(pid)).toBe(false);
  });
});
