import { discoverConsumers } from '../scripts/lib/project';

const [firstConsumer, secondConsumer] = discoverConsumers().map((consumer) => consumer.pacticipant) as [string, string];
const CONSUMERS = { countryDirectory: firstConsumer, perCapitaRanking: secondConsumer };
import { startPactBroker, type PactBrokerStandIn } from './support/pact-broker-stand-in';
import { PASSWORD, USERNAME, runBrokerScript, tempDir, vouchForPacts, writeMinimalPact } from './support/publish-fixtures';

// can-i-deploy and record-deployment against the broker stand-in: the second half of the pipeline step.

const VERSION = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';
/** A commit whose pacts were never published (the steps act only on pacts recorded as written at the version). */
const UNPUBLISHED = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';
let broker: PactBrokerStandIn;
let env: Record<string, string>;

beforeEach(async () => {
  broker = await startPactBroker({ basic: { username: USERNAME, password: PASSWORD } });
  broker.createEnvironment('test');
  broker.createEnvironment('production', true);
  const pactDir = tempDir('deploy-pacts');
  writeMinimalPact(pactDir, CONSUMERS.countryDirectory);
  writeMinimalPact(pactDir, CONSUMERS.perCapitaRanking);
  vouchForPacts(pactDir, VERSION);
  env = { PACT_DIR: pactDir, PACT_BROKER_URL: broker.url, BROKER_USERNAME: USERNAME, BROKER_PASSWORD: PASSWORD, GIT_COMMIT: VERSION, GIT_BRANCH: 'main' };
  const published = await runBrokerScript('publish:pact', [], env);
  expect(published.code).toBe(0);
});
afterEach(() => broker.close());

const verified = (consumer: string, providerVersion: string, success: boolean) =>
  broker.addVerification({ consumer, consumerVersion: VERSION, providerVersion, success });

const matrixRequests = () => broker.requests.filter((request) => request.path.startsWith('/matrix'));

describe('can-i-deploy', () => {
  it('says yes when the deployed aggregator verified both consumers, with the table and the reason', async () => {
    broker.deploy('aggregator', '2.0.0', 'test');
    verified(CONSUMERS.countryDirectory, '2.0.0', true);
    verified(CONSUMERS.perCapitaRanking, '2.0.0', true);

    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'test'], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✓ consumer_a: yes');
    expect(run.stdout).toMatch(/CONSUMER\s+\| C\.VERSION\s+\| PROVIDER\s+\| P\.VERSION \| SUCCESS\?/);
    expect(run.stdout).toMatch(new RegExp(`consumer_b\\s+\\| ${VERSION} \\| aggregator \\| 2\\.0\\.0\\s+\\| true`));
    expect(run.stdout).toContain('All required verification results are published and successful');
    expect(run.stdout).toContain('✓ Computer says yes: every consumer can be deployed to test.');
    // Every consumer is asked at once, so in no fixed order.
    expect(matrixRequests().map((request) => request.path).sort()).toEqual([
      `/matrix?q[][pacticipant]=consumer_a&q[][version]=${VERSION}&latestby=cvpv&environment=test`,
      `/matrix?q[][pacticipant]=consumer_b&q[][version]=${VERSION}&latestby=cvpv&environment=test`,
    ]);
  });

  it('says no when the aggregator failed one consumer, giving the broker\'s reason', async () => {
    broker.deploy('aggregator', '2.0.0', 'production');
    verified(CONSUMERS.countryDirectory, '2.0.0', true);
    verified(CONSUMERS.perCapitaRanking, '2.0.0', false);

    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'production'], env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✓ consumer_a: yes');
    expect(run.stdout).toContain('✗ consumer_b: no');
    expect(run.stdout).toContain(`The verification for the pact between version ${VERSION} of consumer_b and the version of aggregator currently in production (2.0.0) failed`);
    expect(run.stderr).toContain('✗ Computer says no: consumer_b cannot be deployed to production.');
  });

  it('waits a bounded time while results are unknown, then says no', async () => {
    broker.deploy('aggregator', '2.0.0', 'test');

    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'test', '--retry-while-unknown', '2', '--retry-interval', '1'], env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('consumer_a: verification results not known yet; asking again in 1 s (2 of 2)');
    expect(run.stdout).toContain('✗ consumer_a: unknown (counts as no)');
    expect(run.stdout).toContain(`There is no verified pact between version ${VERSION} of consumer_a and the version of aggregator currently in test (2.0.0)`);
    expect(matrixRequests()).toHaveLength(6);
  });

  it('says yes once results arrive while it waits', async () => {
    broker.deploy('aggregator', '2.0.0', 'test');
    verified(CONSUMERS.perCapitaRanking, '2.0.0', true);
    const verificationArrives = setTimeout(() => verified(CONSUMERS.countryDirectory, '2.0.0', true), 1500);

    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'test', '--retry-while-unknown', '10', '--retry-interval', '1'], env);
    clearTimeout(verificationArrives);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('consumer_a: verification results not known yet');
    expect(run.stdout).toContain('✓ consumer_a: yes');
  });

  it('says unknown when no aggregator is deployed in the environment', async () => {
    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'test', '--retry-while-unknown', '0'], env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('(no version is currently recorded as deployed/released in this environment)');
  });

  it('passes on the broker\'s refusal of an environment it does not have', async () => {
    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'staging'], env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("✗ consumer_a: the broker refused the request: Environment with name 'staging' does not exist.");
  });

  it('says which version the broker does not know', async () => {
    vouchForPacts(env.PACT_DIR as string, UNPUBLISHED);
    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'test'], { ...env, GIT_COMMIT: UNPUBLISHED });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`the broker refused the request: No pacts or verifications have been published for version ${UNPUBLISHED} of consumer_a.`);
  });

  it('names the variables to check on a wrong password', async () => {
    const run = await runBrokerScript('can-i-deploy', ['--to-environment', 'test'], { ...env, BROKER_PASSWORD: 'wrong-password' });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('(401 Unauthorized): check BROKER_USERNAME and BROKER_PASSWORD');
    expect(run.output).not.toContain('wrong-password');
  });

  it.each([
    [[], /--to-environment is missing: name the environment.*Usage: npm run can-i-deploy/],
    [['--to-environment', 'test', '--retry-while-unknown', 'lots'], /--retry-while-unknown must be a whole number from 0 to 60, got "lots"/],
    [['--to-environment', 'test', '--to', 'prod'], /Unknown option '--to'/],
  ])('refuses bad flags %j before asking', async (args, message) => {
    const before = broker.requests.length;

    const run = await runBrokerScript('can-i-deploy', args, env);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(broker.requests).toHaveLength(before);
  });
});

describe('record-deployment', () => {
  it('records each consumer version as deployed to the environment', async () => {
    const run = await runBrokerScript('record-deployment', ['--environment', 'production'], env);

    expect(run.code).toBe(0);
    // The consumers are recorded at once, so in no fixed order.
    expect([...broker.deployments].sort((a, b) => a.pacticipant.localeCompare(b.pacticipant))).toEqual([
      { pacticipant: 'consumer_a', version: VERSION, environment: 'production', applicationInstance: undefined },
      { pacticipant: 'consumer_b', version: VERSION, environment: 'production', applicationInstance: undefined },
    ]);
    expect(run.stdout).toContain(`✓ consumer_b ${VERSION} recorded as deployed to production`);
  });

  it('records an application instance when given one', async () => {
    const run = await runBrokerScript('record-deployment', ['--environment', 'test', '--application-instance', 'blue'], env);

    expect(run.code).toBe(0);
    expect(broker.deployments.map((deployment) => deployment.applicationInstance)).toEqual(['blue', 'blue']);
  });

  it('says how to create an environment the broker does not have', async () => {
    const run = await runBrokerScript('record-deployment', ['--environment', 'staging'], env);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ consumer_a: the broker has no environment "staging": check the name, or create it once with: pact broker create-environment --name staging');
    expect(broker.deployments).toEqual([]);
  });

  it('says to publish first when the broker does not know the version', async () => {
    vouchForPacts(env.PACT_DIR as string, UNPUBLISHED);
    const run = await runBrokerScript('record-deployment', ['--environment', 'test'], { ...env, GIT_COMMIT: UNPUBLISHED });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✗ consumer_a: the broker does not know consumer_a version ${UNPUBLISHED} (404): publish its pacts first (npm run publish:pact)`);
  });

  it('refuses a missing --environment before sending anything', async () => {
    const before = broker.requests.length;

    const run = await runBrokerScript('record-deployment', [], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--environment is missing/);
    expect(broker.requests).toHaveLength(before);
  });
});
