import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_FILE_NAME, startBrokerServer, type RunningBroker } from '../../broker/server';
import { freePort } from './real-broker';
import { PROVIDER } from '../../src/shared/provider';
import { brokerApi, withoutBrokerIds, type PactResource } from './broker-api';
import { startFaultServer, type FaultServer } from '../pipeline/misbehaving-broker';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';
import { createThrowawayProject, type ThrowawayProject } from './throwaway-project';

// `npm run pipeline:local` as a new user runs it, in a fresh git checkout against a fresh real broker: on SQLite,
// the local default, and on PostgreSQL, the database production uses. Then the broker restarts on the same data.

const user = (role: string) => ({
  username: `${role}-${randomBytes(3).toString('hex')}`,
  password: randomBytes(18).toString('base64url'),
});

describe.each(['SQLite', 'PostgreSQL'])('npm run pipeline:local against a real broker on %s', (database) => {
  const users = { readWrite: user('rw'), readOnly: user('ro') };
  let postgres: ThrowawayPostgres | undefined;
  let dataDir: string;
  let port: number;
  let broker: RunningBroker;
  let project: ThrowawayProject;
  const start = () =>
    startBrokerServer({
      ...users,
      port,
      database: postgres ? { url: postgres.url } : { file: path.join(dataDir, DATABASE_FILE_NAME) },
    });
  const api = () => brokerApi({ url: broker.url, ...users });

  beforeAll(async () => {
    postgres = database === 'PostgreSQL' ? await startThrowawayPostgres() : undefined;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-pipeline-local-'));
    port = await freePort();
    broker = await start();
    project = createThrowawayProject();
  }, 180_000);

  afterAll(async () => {
    project?.remove();
    await broker?.stop();
    postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a Pact filter variable in .env in one line before anything runs: the broker gets nothing', async () => {
    const dotenv = path.join(dataDir, 'filter.env');
    writeFileSync(dotenv, 'PACT_DESCRIPTION="a request for all countries"\n');

    const result = await project.runScript('pipeline-local', [], {
      PACT_BROKER_URL: broker.url,
      BROKER_USERNAME: users.readWrite.username,
      BROKER_PASSWORD: users.readWrite.password,
      DOTENV_CONFIG_PATH: dotenv,
    });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(
      `✗ PACT_DESCRIPTION (from ${dotenv}) is set: the pact verifier reads it as a filter, checks only the interactions it picks and publishes that as the result for the whole pact. pipeline:local publishes results, so unset it; to re-run one interaction, run the verifier by hand.`,
    );
    for (const consumer of project.consumers())
      expect((await api().pact(consumer.pacticipant, PROVIDER, project.git('rev-parse', 'HEAD'))).status).toBe(404);
  });

  it('a failed publish says so in its own words, and leaves the pacts as a hand-run publish needs them', async () => {
    const result = await project.runScript('pipeline-local', [], {
      PACT_BROKER_URL: broker.url,
      BROKER_USERNAME: users.readWrite.username,
      BROKER_PASSWORD: `${users.readWrite.password}-wrong`,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^✗ step 2\/6, publish: failed \(exit 1\): Publishing failed: 0 of \d+ pacts published\.$/m,
    );
    expect(result.stderr).toContain('npm run publish:pact publishes them');
    const published = await project.runScript('publish-pact', [], {
      PACT_BROKER_URL: broker.url,
      BROKER_USERNAME: users.readWrite.username,
      BROKER_PASSWORD: users.readWrite.password,
    });
    expect({ code: published.code, output: published.output }).toEqual({
      code: 0,
      output: expect.any(String) as string,
    });
  }, 300_000);

  it('runs every step in order, exits 0, and the broker holds the verified, deployed pacts', async () => {
    const result = await project.runScript('pipeline-local', [], {
      PACT_BROKER_URL: broker.url,
      BROKER_USERNAME: users.readWrite.username,
      BROKER_PASSWORD: users.readWrite.password,
    });
    expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: expect.any(String) as string });
    const commit = project.git('rev-parse', 'HEAD');
    const reference = `reference-aggregator-${commit.slice(0, 7)}`;
    expect(result.stdout.split('\n').filter((line) => line.startsWith('✓'))).toEqual([
      '✓ 1/6 contract tests passed',
      '✓ 2/6 pacts published',
      `✓ 3/6 verified against the reference aggregator (provider version ${reference}, not the real service)`,
      '✓ environment production created (it was missing)',
      '✓ 4/6 the reference aggregator recorded as deployed to production',
      '✓ 5/6 can-i-deploy to production: yes',
      '✓ 6/6 deployment to production recorded',
    ]);
    expect(result.stdout).toContain(`Broker UI: ${broker.url} (log in as ${users.readWrite.username})`);
    const secrets = [users.readWrite.password, postgres?.password ?? users.readWrite.password];
    for (const secret of secrets) expect(result.output).not.toContain(secret);

    // The broker's own evidence: each consumer's version verified by the reference and deployed with it.
    const consumers = project.consumers();
    for (const consumer of consumers) {
      const matrix = await api().matrix(consumer.pacticipant, commit, 'production');
      expect(matrix.summary.deployable).toBe(true);
      expect(matrix.matrix.map((row) => [row.provider.version?.number, row.verificationResult?.success])).toEqual([
        [reference, true],
      ]);
    }
    const deployed = (await api().deployments('production')).map((each) => [each.pacticipant, each.version]);
    expect(deployed).toEqual(
      expect.arrayContaining([[PROVIDER, reference], ...consumers.map((consumer) => [consumer.pacticipant, commit])]),
    );
  }, 300_000);

  it('still serves the pacts after the broker restarts on the same database', async () => {
    await broker.stop();
    broker = await start();
    const commit = project.git('rev-parse', 'HEAD');
    for (const consumer of project.consumers()) {
      const pact = await api().pact(consumer.pacticipant, PROVIDER, commit);
      const onDisk = JSON.parse(readFileSync(path.join(project.pactDir, consumer.pactFile), 'utf8')) as PactResource;
      expect(pact.status).toBe(200);
      expect(withoutBrokerIds(pact.body.interactions)).toEqual(withoutBrokerIds(onDisk.interactions));
    }
  }, 120_000);
});

/**
 * A broker that takes the publications and reads them back as a real one does, but never answers the verifier's
 * question for the pacts to verify: it shows what pipeline:local does with a step that does not end.
 */
async function brokerSilentOnVerification(): Promise<FaultServer> {
  const posted = new Map<string, { content: unknown; version: string; branch: string }>();
  return startFaultServer({
    kind: 'scripted',
    answer: (request, url) => {
      if (request.url === '/')
        return {
          status: 200,
          body: {
            _links: {
              'pb:publish-contracts': { href: `${url}/contracts/publish` },
              'pb:provider-pacts-for-verification': {
                href: `${url}/pacts/provider/{provider}/for-verification`,
                templated: true,
              },
            },
          },
        };
      if (request.url === '/contracts/publish') {
        const body = request.body as {
          pacticipantVersionNumber: string;
          branch: string;
          contracts: { consumerName: string; content: string }[];
        };
        for (const contract of body.contracts)
          posted.set(contract.consumerName, {
            content: JSON.parse(Buffer.from(contract.content, 'base64').toString('utf8')),
            version: body.pacticipantVersionNumber,
            branch: body.branch,
          });
        return { status: 200, body: {} };
      }
      if (request.url.endsWith('/for-verification')) return new Promise(() => undefined);
      const version = /^\/pacticipants\/([^/]+)\/versions\/([^/]+)$/.exec(request.url);
      const held = posted.get(decodeURIComponent(version?.[1] ?? ''));
      if (version && held)
        return {
          status: 200,
          body: {
            number: held.version,
            _embedded: { branchVersions: [{ name: held.branch }], tags: [] },
            _links: { 'pb:pacticipant': { name: decodeURIComponent(version[1] ?? '') } },
          },
        };
      const pact = posted.get(decodeURIComponent(/\/consumer\/([^/]+)\/version\//.exec(request.url)?.[1] ?? ''));
      return pact
        ? {
            status: 200,
            body: { ...(pact.content as object), _links: { 'pb:consumer-version': { name: pact.version } } },
          }
        : { status: 404 };
    },
  });
}

/** Processes still running that pipeline:local started in `root` or pointed at `brokerUrl`. */
function leftBehind(root: string, brokerUrl: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        return cmdline.includes(root) || environ.includes(`PACT_BROKER_BASE_URL=${brokerUrl}`);
      } catch {
        return false;
      }
    });
}

describe('npm run pipeline:local on a broker that never answers the verifier', () => {
  let project: ThrowawayProject;
  let broker: FaultServer;
  beforeAll(() => {
    project = createThrowawayProject();
  });
  beforeEach(async () => {
    broker = await brokerSilentOnVerification();
  });
  afterEach(() => broker.close());
  afterAll(() => project?.remove());
  const env = () => ({
    PACT_BROKER_URL: broker.url,
    BROKER_USERNAME: 'writer',
    BROKER_PASSWORD: 'Pa55-w0rd-never-printed',
    PACT_BROKER_TIMEOUT_SECONDS: '3',
  });

  it('stops the verify step at its bound, says so in one line, and leaves nothing running', async () => {
    const result = await project.runScript('pipeline-local', [], env());

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ 2/6 pacts published');
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      '✗ step 3/6, verify: did not finish within 18 s, so it was stopped',
    );
    expect(leftBehind(project.root, broker.url)).toEqual([]);
  }, 300_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s while the verifier waits stops every process it started, and exits %i',
    async (signal, code) => {
      const running = project.startScript('pipeline-local', [], env());
      // The evidence that the verifier runs: its question reached the broker.
      while (!broker.requests.some((request) => request.endsWith('/for-verification')))
        await broker.received(broker.requests.length + 1);
      process.kill(running.pid, signal);
      const result = await running.done;

      expect(result.code).toBe(code);
      expect(leftBehind(project.root, broker.url)).toEqual([]);
    },
    300_000,
  );
});
