import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { pactCliBinary } from '../../scripts/lib/pact-cli';
import type { Consumer } from '../../scripts/lib/project';
import { PROVIDER } from '../../src/shared/provider';
import { brokerApi, withoutBrokerIds, type BrokerApi, type PactResource } from './broker-api';
import { startFaultProxy } from '../pipeline/flaky-proxy';
import { startRealBroker, type RealBroker } from './real-broker';
import { startReferenceAggregator, type ReferenceAggregator } from '../../tools/reference-aggregator';
import { createThrowawayProject, type ScriptRun, type ThrowawayProject } from './throwaway-project';

// The whole consumer-driven loop against a real Pact Broker, with our real scripts run as a consumer's CI runs
// them: in a git checkout (a throwaway copy of this project), after its contract specs have passed at HEAD.
// Each step runs once, in order, and is checked against what the broker then holds, through its own API.

const PROVIDER_VERSION = '1.4.2';
const BUILD_URL = 'https://ci.example.com/consumers/builds/101';
const ENVIRONMENT = 'production';

let broker: RealBroker;
let api: BrokerApi;
let aggregator: ReferenceAggregator;
let project: ThrowawayProject;
let consumers: Consumer[];
/** The consumer whose contract the loop later changes: the first one discovered. */
let changed: Consumer;
let scratch: string;
let secrets: string[];

beforeAll(async () => {
  [broker, aggregator] = await Promise.all([startRealBroker(), startReferenceAggregator()]);
  api = brokerApi(broker);
  secrets = [broker.readWrite, broker.readOnly].flatMap(({ username, password }) => [
    password,
    Buffer.from(`${username}:${password}`).toString('base64'),
  ]);
  scratch = mkdtempSync(path.join(os.tmpdir(), 'e2e-loop-'));
  project = createThrowawayProject();
  consumers = project.consumers();
  changed = consumers[0] as Consumer;
  await project.runContractSpecs();
});

afterAll(async () => {
  // The project first: it kills a script a failed test left running against the broker.
  project?.remove();
  await Promise.all([broker?.close(), aggregator?.close()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The broker and its read/write user, as CI would set them; never in argv. */
const writer = (): Record<string, string> => ({
  PACT_BROKER_URL: broker.url,
  BROKER_USERNAME: broker.readWrite.username,
  BROKER_PASSWORD: broker.readWrite.password,
});

/** Runs one of our scripts in the project and checks it printed no secret, whatever the outcome. */
async function run(
  script: 'publish-pact' | 'can-i-deploy' | 'record-deployment',
  args: string[] = [],
  env: Record<string, string> = writer(),
): Promise<ScriptRun> {
  const result = await project.runScript(script, args, env);
  expectNoSecrets(result.output);
  return result;
}

function expectNoSecrets(output: string): void {
  for (const secret of secrets) expect(output).not.toContain(secret);
}

/** The project's lines that start with ✓ or ✗: one per consumer and one summary. */
const verdicts = (result: ScriptRun) =>
  result.output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[✓✗]/.test(line));

/** `pact <args>` as the provider team's build runs it: the broker and its credentials in the environment. */
function pactCli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pactCliBinary(), args, {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PACT_DO_NOT_TRACK: 'true',
        PACT_BROKER_BASE_URL: broker.url,
        PACT_BROKER_USERNAME: broker.readWrite.username,
        PACT_BROKER_PASSWORD: broker.readWrite.password,
        PACT_BROKER_HTTP_RETRIES: '2',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: stripVTControlCharacters(output) }));
  });
}

/** The real `pact verifier`: fetches the latest pacts of `main` from the broker, verifies them, publishes the results. */
function verifyAndPublish(extra: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const { port } = new URL(aggregator.url);
  return pactCli(
    [
      'verifier',
      '--provider-name',
      PROVIDER,
      '--hostname',
      '127.0.0.1',
      '--port',
      port,
      '--state-change-url',
      aggregator.stateSetupUrl,
      '--consumer-version-selectors',
      JSON.stringify({ branch: 'main' }),
      '--publish',
      '--provider-version',
      PROVIDER_VERSION,
      '--provider-branch',
      'main',
      '--no-colour',
    ],
    extra,
  );
}

const pactOnDisk = (consumer: Consumer) =>
  JSON.parse(readFileSync(path.join(project.pactDir, consumer.pactFile), 'utf8')) as PactResource;

describe('the consumer-driven loop against a real Pact Broker', () => {
  let first: string;

  it('publish:pact --dry-run sends nothing', async () => {
    first = project.git('rev-parse', 'HEAD');
    const before = await api.snapshot();

    const result = await run('publish-pact', ['--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing was sent to the broker.');
    expect(await api.snapshot()).toEqual(before);
  });

  it("publish:pact publishes every consumer's pact under the commit, with branch, tag and build URL, through two 503s", async () => {
    const proxy = await startFaultProxy(broker.url, 2);
    try {
      const result = await run('publish-pact', ['--tag', 'e2e', '--tag', 'rc'], {
        ...writer(),
        PACT_BROKER_URL: proxy.url,
        BUILD_URL,
      });

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Published ${consumers.length} of ${consumers.length} pacts as ${first}.`);
      // Counted only once the broker's copy, read back, matched what was sent.
      for (const consumer of consumers)
        expect(result.stdout).toMatch(
          new RegExp(`✓ ${consumer.pacticipant} → ${PROVIDER} \\(\\d+ interactions?, read back from the broker\\)`),
        );
      // The CLI's own retries got past the two 503s; then everything reached the real broker.
      expect(proxy.log.slice(0, 3)).toEqual(['GET / -> 503', 'GET / -> 503', 'GET / -> 200']);
      expect(proxy.log.filter((line) => line.startsWith('POST /contracts/publish'))).toEqual(
        consumers.map(() => 'POST /contracts/publish -> 200'),
      );
    } finally {
      await proxy.close();
    }

    for (const consumer of consumers) {
      const version = await api.version(consumer.pacticipant, first);
      expect(version.status).toBe(200);
      expect(version.body.buildUrl).toBe(BUILD_URL);
      expect(version.body._embedded.branchVersions.map((branch) => branch.name)).toEqual(['main']);
      expect(version.body._embedded.tags.map((tag) => tag.name).sort()).toEqual(['e2e', 'rc']);
      const pact = await api.pact(consumer.pacticipant, PROVIDER, first);
      expect(pact.status).toBe(200);
      // The CLI re-serialises the pact; what verification reads must be what the specs wrote.
      const file = pactOnDisk(consumer);
      expect(withoutBrokerIds(pact.body.interactions)).toEqual(file.interactions);
      expect([pact.body.consumer.name, pact.body.provider.name]).toEqual([file.consumer.name, file.provider.name]);
    }
  });

  it('publish:pact again with the same pacts is accepted, and changes nothing', async () => {
    const before = await api.snapshot();

    // A trailing slash on the URL, as users paste it.
    const result = await run('publish-pact', ['--tag', 'e2e', '--tag', 'rc'], {
      ...writer(),
      PACT_BROKER_URL: `${broker.url}/`,
      BUILD_URL,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`to ${broker.url} as consumer version ${first}`);
    for (const consumer of consumers) {
      expect(result.stdout).toContain(
        `Pact successfully republished for ${consumer.pacticipant} version ${first} and provider ${PROVIDER} with no content changes.`,
      );
    }
    expect(await api.snapshot()).toEqual(before);
  });

  it('can-i-deploy waits while the results are unknown, and says yes once the provider has verified and deployed', async () => {
    const created = await pactCli(['broker', 'create-environment', '--name', ENVIRONMENT, '--production']);
    expect(created.code).toBe(0);
    expect((await api.environments()).map(({ name, production }) => ({ name, production }))).toEqual([
      { name: ENVIRONMENT, production: true },
    ]);

    // The whole wait must fit in PACT_BROKER_TIMEOUT_SECONDS, which bounds the step: 40 × 1 s in 60 s.
    const asking = project.startScript(
      'can-i-deploy',
      ['--to-environment', ENVIRONMENT, '--retry-while-unknown', '40', '--retry-interval', '1'],
      {
        ...writer(),
        PACT_BROKER_TIMEOUT_SECONDS: '60',
      },
    );
    await asking.printed('verification results not known yet');

    // The provider's build: the real verifier against the reference aggregator, results published to the broker.
    const verification = await verifyAndPublish();
    expect(verification.output).not.toMatch(/failures|Failed/);
    expect(verification.code).toBe(0);
    for (const consumer of consumers) {
      const { matrix } = await api.matrixWith(consumer.pacticipant, first, PROVIDER, PROVIDER_VERSION);
      expect(matrix.map((row) => row.verificationResult?.success)).toEqual([true]);
    }
    const providerVersion = await api.version(PROVIDER, PROVIDER_VERSION);
    expect(providerVersion.body._embedded.branchVersions.map((branch) => branch.name)).toEqual(['main']);

    // ... and its deployment.
    const deployed = await pactCli([
      'broker',
      'record-deployment',
      '--pacticipant',
      PROVIDER,
      '--version',
      PROVIDER_VERSION,
      '--environment',
      ENVIRONMENT,
    ]);
    expect(deployed.code).toBe(0);
    expect(await api.deployments(ENVIRONMENT)).toEqual([
      { pacticipant: PROVIDER, version: PROVIDER_VERSION, applicationInstance: null },
    ]);

    const result = await asking.done;
    expectNoSecrets(result.output);
    expect(result.code).toBe(0);
    expect(verdicts(result)).toEqual([
      ...consumers.map((consumer) => `✓ ${consumer.pacticipant}: yes`),
      `✓ Computer says yes: every consumer can be deployed to ${ENVIRONMENT}.`,
    ]);
    for (const consumer of consumers) {
      const { summary } = await api.matrix(consumer.pacticipant, first, ENVIRONMENT);
      expect(summary.deployable).toBe(true);
      expect(result.stdout).toContain(summary.reason);
      expect(result.stdout).toMatch(
        new RegExp(
          `${consumer.pacticipant}\\s+\\| ${first} \\| ${PROVIDER}\\s+\\| ${PROVIDER_VERSION.replace(/\./g, '\\.')}\\s+\\| true`,
        ),
      );
    }
  });

  it("record-deployment records every consumer's version in the environment", async () => {
    const result = await run('record-deployment', ['--environment', ENVIRONMENT]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Recorded ${consumers.length} deployments to ${ENVIRONMENT}.`);
    expect(await api.deployments(ENVIRONMENT)).toEqual(
      [PROVIDER, ...consumers.map((consumer) => consumer.pacticipant)]
        .map((pacticipant) => ({
          pacticipant,
          version: pacticipant === PROVIDER ? PROVIDER_VERSION : first,
          applicationInstance: null,
        }))
        .sort((a, b) => a.pacticipant.localeCompare(b.pacticipant)),
    );
  });

  it('record-deployment records an application instance when given one', async () => {
    const created = await api.post('/environments', { name: 'test', production: false });
    expect(created.status).toBe(201);

    const result = await run('record-deployment', ['--environment', 'test', '--application-instance', 'blue']);

    expect(result.code).toBe(0);
    expect(await api.deployments('test')).toEqual(
      consumers.map((consumer) => ({ pacticipant: consumer.pacticipant, version: first, applicationInstance: 'blue' })),
    );
  });

  it('can-i-deploy counts "no provider deployed in the environment" as no, with the broker\'s reason', async () => {
    const result = await run('can-i-deploy', ['--to-environment', 'test', '--retry-while-unknown', '0']);

    expect(result.code).toBe(1);
    for (const consumer of consumers)
      expect(verdicts(result)).toContain(`✗ ${consumer.pacticipant}: unknown (counts as no)`);
    expect(result.stdout).toContain('(no version is currently recorded as deployed/released in this environment)');
  });

  it('both steps refuse an environment the broker does not have, in one line each, changing nothing', async () => {
    const before = await api.snapshot();

    const recorded = await run('record-deployment', ['--environment', 'staging']);
    const asked = await run('can-i-deploy', ['--to-environment', 'staging']);

    expect(recorded.code).toBe(1);
    expect(verdicts(recorded)).toEqual([
      ...consumers.map(
        (consumer) =>
          `✗ ${consumer.pacticipant}: the broker has no environment "staging": check the name, or create it once with: pact broker create-environment --name staging`,
      ),
      `✗ Recording failed for ${consumers.map((consumer) => consumer.pacticipant).join(', ')}.`,
    ]);
    expect(asked.code).toBe(1);
    expect(verdicts(asked)).toEqual([
      ...consumers.map(
        (consumer) =>
          `✗ ${consumer.pacticipant}: the broker has no environment "staging": check the name, or create it once with: pact broker create-environment --name staging`,
      ),
      `✗ Computer says no: ${consumers.map((consumer) => consumer.pacticipant).join(', ')} cannot be deployed to staging.`,
    ]);
    expect(await api.snapshot()).toEqual(before);
  });

  describe('a new commit whose contract the provider does not satisfy', () => {
    let second: string;
    let snapshot: unknown;

    it('is committed and its contract specs pass', async () => {
      // The consumer now needs an endpoint the aggregator lacks: its own specs pass against the mock server.
      const spec = `tests/contracts/${changed.folder}.pact.test.ts`;
      project.write(
        spec,
        `${project.read(spec)}
// Added by the e2e loop: a need the aggregator does not meet (it has no such endpoint).
import { contractWithAggregator as e2eContract } from './contract-with-aggregator';
import { PACTICIPANT as E2E_PACTICIPANT } from '../../src/${changed.folder}/pacticipant';

const e2eAggregator = e2eContract(E2E_PACTICIPANT);

it('lists the countries of a continent', async () => {
  await e2eAggregator
    .addInteraction()
    .uponReceiving('a request for the countries of a continent')
    .withRequest('GET', '/continents/europe/countries')
    .willRespondWith(200, (response) => response.jsonBody([{ code: 'DEU' }]))
    .executeTest(async (server) => {
      const answer = await fetch(server.url + '/continents/europe/countries');
      expect(await answer.json()).toEqual([{ code: 'DEU' }]);
    });
});
`,
      );
      second = project.commit(`${changed.pacticipant} needs the countries of a continent`);
      await project.runContractSpecs();

      expect(pactOnDisk(changed).interactions.length).toBeGreaterThan(
        (await api.pact(changed.pacticipant, PROVIDER, first)).body.interactions.length,
      );
      copyFileSync(path.join(project.pactDir, changed.pactFile), path.join(scratch, changed.pactFile));
      snapshot = await api.snapshot();
    });

    it('before it is published, the steps say the broker does not know the version', async () => {
      const recorded = await run('record-deployment', ['--environment', ENVIRONMENT]);
      const asked = await run('can-i-deploy', ['--to-environment', ENVIRONMENT, '--retry-while-unknown', '0']);

      expect(recorded.code).toBe(1);
      for (const consumer of consumers) {
        expect(verdicts(recorded)).toContain(
          `✗ ${consumer.pacticipant}: the broker does not know ${consumer.pacticipant} version ${second} (404): publish its pacts first (npm run publish:pact), or check PACT_BROKER_URL's path prefix.`,
        );
        // The real broker answers this with 200 and "not deployable", not with an error.
        expect(verdicts(asked)).toContain(`✗ ${consumer.pacticipant}: no`);
        expect(asked.stdout).toContain(
          `No pacts or verifications have been published for version ${second} of ${consumer.pacticipant}`,
        );
      }
      expect(asked.code).toBe(1);
      expect(await api.snapshot()).toEqual(snapshot);
    });

    it('a wrong password: one line naming the variables, exit 1, nothing published', async () => {
      const wrong = 'not-the-broker-password-4f1e';

      const published = await run('publish-pact', [], { ...writer(), BROKER_PASSWORD: wrong });
      const asked = await run('can-i-deploy', ['--to-environment', ENVIRONMENT], {
        ...writer(),
        BROKER_PASSWORD: wrong,
      });

      expect(published.code).toBe(1);
      expect(verdicts(published)[0]).toBe(
        `✗ ${changed.pacticipant} → ${PROVIDER}: the broker refused the credentials (401 Unauthorized): check BROKER_USERNAME and BROKER_PASSWORD (a read-only user cannot publish).`,
      );
      expect(published.output).not.toContain(wrong);
      expect(asked.code).toBe(1);
      expect(verdicts(asked)[0]).toBe(
        `✗ ${changed.pacticipant}: the broker refused the credentials (401 Unauthorized): check BROKER_USERNAME and BROKER_PASSWORD.`,
      );
      expect(await api.snapshot()).toEqual(snapshot);
    });

    it("a read-only user who publishes: the broker's 401 in one line, exit 1, nothing published", async () => {
      const result = await run('publish-pact', [], {
        ...writer(),
        BROKER_USERNAME: broker.readOnly.username,
        BROKER_PASSWORD: broker.readOnly.password,
      });

      expect(result.code).toBe(1);
      expect(verdicts(result)[0]).toBe(
        `✗ ${changed.pacticipant} → ${PROVIDER}: the broker refused the credentials (401 Unauthorized): check BROKER_USERNAME and BROKER_PASSWORD (a read-only user cannot publish).`,
      );
      expect(await api.snapshot()).toEqual(snapshot);
    });

    it('a version the broker holds without its pact: the broker says yes, can-i-deploy says no', async () => {
      // Someone created the version (as the CLI's create-or-update-version does) but never published to it.
      for (const consumer of consumers) {
        const created = await pactCli([
          'broker',
          'create-or-update-version',
          '--pacticipant',
          consumer.pacticipant,
          '--version',
          second,
          '--branch',
          'main',
        ]);
        expect(created.code).toBe(0);
      }
      const { summary } = await api.matrix(changed.pacticipant, second, ENVIRONMENT);
      expect(summary.deployable).toBe(true);

      const asked = await run('can-i-deploy', ['--to-environment', ENVIRONMENT, '--retry-while-unknown', '0']);

      expect(asked.code).toBe(1);
      for (const consumer of consumers) {
        expect(verdicts(asked)).toContain(
          `✗ ${consumer.pacticipant}: no: the broker holds no pact of ${consumer.pacticipant} version ${second} with ${PROVIDER}, so its "yes" checked nothing (publish first: npm run publish:pact)`,
        );
      }
    });

    it('is published; can-i-deploy says "unknown" for the changed contract until the provider has verified it', async () => {
      const published = await run('publish-pact');
      expect(published.code).toBe(0);
      for (const consumer of consumers)
        expect(withoutBrokerIds((await api.pact(consumer.pacticipant, PROVIDER, second)).body.interactions)).toEqual(
          pactOnDisk(consumer).interactions,
        );

      const result = await run('can-i-deploy', [
        '--to-environment',
        ENVIRONMENT,
        '--retry-while-unknown',
        '1',
        '--retry-interval',
        '1',
      ]);

      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `${changed.pacticipant}: verification results not known yet; asking again in 1 s (1 of 1)`,
      );
      expect(verdicts(result)).toContain(`✗ ${changed.pacticipant}: unknown (counts as no)`);
      const { summary } = await api.matrix(changed.pacticipant, second, ENVIRONMENT);
      expect(summary.deployable).toBeNull();
      expect(result.stdout).toContain(summary.reason);
    });

    it('a provider verification run with PACT_DESCRIPTION publishes a success for part of the pact: the broker says yes, can-i-deploy says no', async () => {
      const [first] = pactOnDisk(changed).interactions as { description: string }[];
      const verification = await verifyAndPublish({ PACT_DESCRIPTION: first?.description ?? '' });
      expect(verification.code).toBe(0);
      expect((await api.matrix(changed.pacticipant, second, ENVIRONMENT)).summary.deployable).toBe(true);

      const result = await run('can-i-deploy', ['--to-environment', ENVIRONMENT, '--retry-while-unknown', '0']);

      expect(result.code).toBe(1);
      const total = pactOnDisk(changed).interactions.length;
      expect(verdicts(result)).toContain(
        `✗ ${changed.pacticipant}: no: ${PROVIDER} ${PROVIDER_VERSION} verified only 1 interaction of ${total} in this version's pact (a verifier run with PACT_DESCRIPTION or PACT_PROVIDER_STATE set checks only part), so its "yes" does not cover the contract`,
      );
    });

    it("the provider's verification fails it and publishes the failure; can-i-deploy says no with the broker's reason", async () => {
      const verification = await verifyAndPublish();
      expect(verification.code).toBe(1);
      expect(verification.output).toContain('a request for the countries of a continent');
      const { matrix, summary } = await api.matrix(changed.pacticipant, second, ENVIRONMENT);
      expect(matrix.map((row) => [row.provider.version?.number, row.verificationResult?.success])).toEqual([
        [PROVIDER_VERSION, false],
      ]);
      expect(summary.deployable).toBe(false);

      const result = await run('can-i-deploy', ['--to-environment', ENVIRONMENT, '--retry-while-unknown', '0']);

      expect(result.code).toBe(1);
      expect(verdicts(result)).toContain(`✗ ${changed.pacticipant}: no`);
      expect(summary.reason).toContain(
        `The verification for the pact between version ${second} of ${changed.pacticipant} and the version of ${PROVIDER} currently in ${ENVIRONMENT} (${PROVIDER_VERSION}) failed`,
      );
      expect(result.stdout).toContain(summary.reason);
      expect(result.stderr).toMatch(
        new RegExp(`✗ Computer says no: .*${changed.pacticipant}.* cannot be deployed to ${ENVIRONMENT}\\.`),
      );
      // The others' contracts did not change: the provider's earlier verification still counts for them.
      for (const consumer of consumers.filter((each) => each !== changed))
        expect(verdicts(result)).toContain(`✓ ${consumer.pacticipant}: yes`);
    });
  });

  describe('a commit whose version the broker already holds with another pact', () => {
    it("publish:pact gets the broker's 409 in one line, exit 1, and the broker keeps what it had", async () => {
      // The consumer team reverts the change; an earlier run for this commit had already published stale pacts.
      project.git('revert', '--no-edit', 'HEAD');
      const third = project.git('rev-parse', 'HEAD');
      await project.runContractSpecs();
      const stale = await pactCli([
        'broker',
        'publish',
        path.join(scratch, changed.pactFile),
        '--consumer-app-version',
        third,
        '--branch',
        'main',
      ]);
      expect(stale.code).toBe(0);
      const before = await api.snapshot();

      const result = await run('publish-pact');

      expect(result.code).toBe(1);
      expect(verdicts(result)[0]).toMatch(
        new RegExp(
          `^✗ ${changed.pacticipant} → ${PROVIDER}: the broker already holds a different pact for this consumer version \\(409 Conflict\\): a published version cannot change\\. Commit the change \\(a new commit is a new version\\), run the tests and publish again\\. The broker: Cannot change the content of the pact for ${changed.pacticipant} version ${third} and provider ${PROVIDER}`,
        ),
      );
      expect(await api.snapshot()).toEqual(before);
    });
  });
});
