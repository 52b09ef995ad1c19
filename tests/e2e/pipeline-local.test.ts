import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_FILE_NAME, startBrokerServer, type RunningBroker } from '../../broker/server';
import { freePort } from './real-broker';
import { PROVIDER } from '../../src/shared/provider';
import { brokerApi, withoutBrokerIds, type PactResource } from './broker-api';
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
