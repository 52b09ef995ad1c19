import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATABASE_FILE_NAME, startBrokerServer, type RunningBroker } from '../../broker/server';
import type { Consumer } from '../../scripts/lib/project';
import { PROVIDER } from '../../src/shared/provider';
import { brokerApi, type BrokerApi, type PactResource } from './broker-api';
import { freePort } from './real-broker';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';
import { createThrowawayProject, type ScriptRun, type ThrowawayProject } from './throwaway-project';

// The contract's life in a real broker, as a consumer's CI lives it: npm run diff:pact against the main branch and
// another, publish:pact recording the main branch, delete-branch. The contract changes are interactions this test
// adds to the first consumer's spec, so today's interactions are never named here.

const MAIN = 'trunk'; // not develop/main/master, which the broker would guess by itself
const FEATURE = 'feature/mountains';
const REPOSITORY_URL = 'https://git.example.com/team/consumers';
const PRODUCTION_AGGREGATOR = '2.0.0';
const q = encodeURIComponent;

const user = (role: string) => ({
  username: `${role}-${randomBytes(3).toString('hex')}`,
  password: randomBytes(18).toString('base64url'),
});

/** Interactions of our own, appended to the first consumer's spec: before the change and after it. */
function e2eBlock(folder: string, changed: boolean): string {
  const continents = changed
    ? `e2eEachLike({ name: e2eString('Asia'), population: e2eInteger(4700000000), area: e2eInteger(44579000) })`
    : `e2eEachLike({ name: e2eString('Asia'), population: e2ePositiveInteger(4700000000) })`;
  const interaction = (title: string, description: string, path: string, body: string) => `
it('${title}', async () => {
  await e2eAggregator
    .addInteraction()
    .uponReceiving('${description}')
    .withRequest('GET', '${path}')
    .willRespondWith(200, (response) => response.jsonBody(${body}))
    .executeTest(async (server) => {
      expect((await fetch(server.url + '${path}')).status).toBe(200);
    });
});
`;
  return `
// Added by the e2e contract-diff test.
import { contractWithAggregator as e2eContract } from './contract-with-aggregator';
import { PACTICIPANT as E2E_PACTICIPANT } from '../../src/${folder}/pacticipant';
import { eachLike as e2eEachLike, integer as e2eInteger, positiveInteger as e2ePositiveInteger, string as e2eString } from './matchers';

const e2eAggregator = e2eContract(E2E_PACTICIPANT);
${interaction('lists the continents', 'a request for the continents', '/continents', continents)}
${
  changed
    ? interaction(
        'lists the mountains',
        'a request for the mountains',
        '/mountains',
        `e2eEachLike({ name: e2eString('K2') })`,
      )
    : interaction(
        'lists the oceans',
        'a request for the oceans',
        '/oceans',
        `e2eEachLike({ name: e2eString('Pacific') })`,
      )
}`;
}

describe.each(['SQLite', 'PostgreSQL'])("a contract's life in a real broker on %s", (database) => {
  const users = { readWrite: user('rw'), readOnly: user('ro') };
  let postgres: ThrowawayPostgres | undefined;
  let dataDir: string;
  let broker: RunningBroker;
  let api: BrokerApi;
  let project: ThrowawayProject;
  let consumers: Consumer[];
  let changed: Consumer;
  let spec: string;
  let original: string;
  let scratch: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    postgres = database === 'PostgreSQL' ? await startThrowawayPostgres() : undefined;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-contract-diff-'));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'e2e-contract-diff-summary-'));
    broker = await startBrokerServer({
      ...users,
      port: await freePort(),
      database: postgres ? { url: postgres.url } : { file: path.join(dataDir, DATABASE_FILE_NAME) },
    });
    api = brokerApi({ url: broker.url, ...users });
    project = createThrowawayProject();
    consumers = project.consumers();
    changed = consumers[0] as Consumer;
    spec = `tests/contracts/${changed.folder}.pact.test.ts`;
    original = project.read(spec);
    project.git('checkout', '-q', '-b', MAIN);
    project.write(spec, `${original}${e2eBlock(changed.folder, false)}`);
    project.commit('The first consumer needs the continents and the oceans');
    await project.runContractSpecs();
  }, 240_000);

  afterAll(async () => {
    project?.remove();
    await broker?.stop();
    postgres?.stop();
    for (const dir of [dataDir, scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterAll(() => {
    // Whatever a step printed, no credential was among it.
    const secrets = [users.readWrite.password, users.readOnly.password, postgres?.password].filter(Boolean);
    for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret);
  });

  const reader = () => ({
    PACT_BROKER_URL: broker.url,
    BROKER_USERNAME: users.readOnly.username,
    BROKER_PASSWORD: users.readOnly.password,
  });
  const writer = () => ({
    PACT_BROKER_URL: broker.url,
    BROKER_USERNAME: users.readWrite.username,
    BROKER_PASSWORD: users.readWrite.password,
  });
  async function run(script: string, args: string[], env: Record<string, string>): Promise<ScriptRun> {
    const result = await project.runScript(script, args, env);
    outputs.push(result.output);
    return result;
  }
  const diff = (args: string[] = [], env: Record<string, string> = {}) =>
    run('diff-pact', args, { ...reader(), ...env });
  const publish = (branch: string) =>
    run('publish-pact', [], { ...writer(), GIT_BRANCH: branch, MAIN_BRANCH: MAIN, REPOSITORY_URL });
  /** The lines of one consumer's report: its heading up to the next heading. */
  function section(result: ScriptRun, consumer: string): string[] {
    const lines = result.stdout.split('\n');
    const start = lines.findIndex((line) => line.startsWith(`${consumer} → ${PROVIDER}, `));
    const end = lines.findIndex((line, index) => index > start && /^\S/.test(line));
    return lines.slice(start, end === -1 ? undefined : end).filter((line) => line.trim() !== '');
  }
  const onDisk = (consumer: Consumer) =>
    JSON.parse(readFileSync(path.join(project.pactDir, consumer.pactFile), 'utf8')) as PactResource;

  it('reports each consumer the broker has never seen as a new contract, every interaction listed', async () => {
    const result = await diff();

    expect(result.code).toBe(0);
    for (const consumer of consumers) {
      const lines = section(result, consumer.pacticipant);
      expect(lines.slice(0, 2)).toEqual([
        `${consumer.pacticipant} → ${PROVIDER}, against the main branch: the broker has never seen ${consumer.pacticipant}`,
        `  new contract: ${onDisk(consumer).interactions.length} interactions`,
      ]);
      expect(
        lines
          .slice(2)
          .map((line) => line.trim().replace(/ \(given .*\)$/, ''))
          .sort(),
      ).toEqual(
        onDisk(consumer)
          .interactions.map((interaction) => `+ "${String(interaction.description)}"`)
          .sort(),
      );
    }
  });

  it('says in one line that it cannot compare while the broker knows no main branch', async () => {
    expect((await publish('first-feature')).code).toBe(0);

    const result = await diff();

    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^✗ Could not compare the pacts with the broker: the broker knows no main branch of \S+: /),
    ]);
  });

  it('records the main branch and the repository URL when publishing from the main branch', async () => {
    const result = await publish(MAIN);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `✓ ${MAIN} recorded as the main branch of ${consumers.length} consumers, repository ${REPOSITORY_URL} (from MAIN_BRANCH)`,
    );
    for (const consumer of consumers) {
      const held = await api.read<{ mainBranch: string; repositoryUrl: string }>(
        `/pacticipants/${q(consumer.pacticipant)}`,
      );
      expect(held).toMatchObject({ mainBranch: MAIN, repositoryUrl: REPOSITORY_URL });
    }
  });

  it("says 'no change', and whether the aggregator deployed in production has verified that same content", async () => {
    const before = await diff();
    expect(before.code).toBe(0);
    for (const consumer of consumers)
      expect(section(before, consumer.pacticipant).slice(1)).toEqual([
        '  no change',
        `  no version of ${PROVIDER} is recorded as deployed in production, so none has verified it there`,
      ]);

    // The provider team: the aggregator verifies the first consumer's pact, and is deployed to production.
    const commit = project.git('rev-parse', 'HEAD');
    const pact = await api.read<{ _links: Record<string, { href: string }> }>(
      `/pacts/provider/${PROVIDER}/consumer/${q(changed.pacticipant)}/version/${commit}`,
    );
    const verification = await api.post(new URL(pact._links['pb:publish-verification-results']?.href ?? '').pathname, {
      success: true,
      providerApplicationVersion: PRODUCTION_AGGREGATOR,
    });
    expect(verification.status).toBe(201);
    expect((await api.post('/environments', { name: 'production', production: true })).status).toBe(201);
    const version = await api.version(PROVIDER, PRODUCTION_AGGREGATOR);
    const record = version.body._links['pb:record-deployment'].find((link) => link.name === 'production');
    expect((await api.post(new URL(record?.href ?? '').pathname, {})).status).toBe(201);

    const after = await diff();

    expect(after.code).toBe(0);
    for (const consumer of consumers)
      expect(section(after, consumer.pacticipant).slice(1)).toEqual([
        '  no change',
        consumer === changed
          ? `  the ${PROVIDER} version deployed in production (${PRODUCTION_AGGREGATOR}) has verified this same content`
          : `  the ${PROVIDER} version deployed in production (${PRODUCTION_AGGREGATOR}) has not verified this content yet`,
      ]);
  });

  it('names the interactions added, removed and changed, down to a field and a matcher', async () => {
    project.write(spec, `${original}${e2eBlock(changed.folder, true)}`);
    await project.runContractSpecs();
    const summary = path.join(scratch, 'step-summary.md');

    const result = await diff([], { GITHUB_STEP_SUMMARY: summary });

    expect(result.code).toBe(0);
    expect(section(result, changed.pacticipant).slice(1)).toEqual([
      '  + added "a request for the mountains"',
      '  - removed "a request for the oceans"',
      '  ~ changed "a request for the continents"',
      '      response body [*].area: added (integer, e.g. 44579000)',
      '      response body [*].population: positive integer → integer',
    ]);
    for (const consumer of consumers.filter((each) => each !== changed))
      expect(section(result, consumer.pacticipant)[1]).toBe('  no change');
    // In CI the same report goes, as Markdown, into the job summary.
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('- **Removed** *a request for the oceans*');
    expect(markdown).toContain('  - response body `[*].population`: positive integer → integer');
    expect(markdown).toContain(`](${broker.url}/pacts/provider/${PROVIDER}/consumer/`);
  });

  it('compares with another branch given with --branch', async () => {
    project.git('checkout', '-q', '-b', FEATURE);
    project.commit('The first consumer needs the mountains, no more the oceans');
    await project.runContractSpecs();
    expect((await publish(FEATURE)).code).toBe(0);

    const onFeature = await diff(['--branch', FEATURE]);
    const onMain = await diff();

    expect(onFeature.code).toBe(0);
    for (const consumer of consumers)
      expect(section(onFeature, consumer.pacticipant).slice(0, 2)).toEqual([
        expect.stringMatching(new RegExp(`^${consumer.pacticipant} → ${PROVIDER}, against ${FEATURE} \\(`)),
        '  no change',
      ]);
    expect(section(onMain, changed.pacticipant)).toContain(
      '      response body [*].population: positive integer → integer',
    );
  });

  it('deletes a branch from the broker for every consumer; its versions stay', async () => {
    const commit = project.git('rev-parse', 'HEAD');

    const refused = await run('delete-branch', ['--branch', MAIN], writer());
    const deleted = await run('delete-branch', ['--branch', FEATURE], writer());

    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('✗ Nothing was deleted');
    expect(deleted.code).toBe(0);
    for (const consumer of consumers) {
      expect(deleted.stdout).toContain(`✓ ${consumer.pacticipant}: branch ${FEATURE} deleted`);
      const branches = `/pacticipants/${q(consumer.pacticipant)}/branches`;
      expect((await api.get(`${branches}/${q(FEATURE)}`)).status).toBe(404);
      expect((await api.get(`${branches}/${q(MAIN)}`)).status).toBe(200);
      expect((await api.version(consumer.pacticipant, commit)).status).toBe(200);
    }
    const afterwards = await diff(['--branch', FEATURE]);
    expect(section(afterwards, changed.pacticipant)[0]).toBe(
      `${changed.pacticipant} → ${PROVIDER}, against ${FEATURE}: the broker has no pact of ${changed.pacticipant} with ${PROVIDER} on ${FEATURE}`,
    );
  });

  it('says in one line that it cannot reach the broker', async () => {
    const result = await diff([], {
      PACT_BROKER_URL: `http://127.0.0.1:${await freePort()}`,
      PACT_BROKER_HTTP_RETRIES: '1',
    });

    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^✗ Could not compare the pacts with the broker: could not reach the broker at /),
    ]);
  });
});
