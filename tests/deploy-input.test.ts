import { startFixtureServer, type FixtureServer } from './support/http-fixture';
import { PASSWORD, USERNAME, runBrokerScript, tempDir, writeMinimalPacts } from './support/publish-fixtures';

// Bad flags to can-i-deploy and record-deployment: exit 2 and one line, before a single request. The "broker"
// only records requests; what a real one answers is tested against one (tests/e2e/consumer-driven-loop.test.ts).

let broker: FixtureServer;
let env: Record<string, string>;

beforeEach(async () => {
  broker = await startFixtureServer({ status: 500 });
  const pactDir = tempDir('deploy-pacts');
  writeMinimalPacts(pactDir);
  env = { PACT_DIR: pactDir, PACT_BROKER_URL: broker.url, BROKER_USERNAME: USERNAME, BROKER_PASSWORD: PASSWORD, GIT_COMMIT: '0a1b2c3d4e5f', GIT_BRANCH: 'main' };
});
afterEach(() => broker.close());

it.each([
  ['can-i-deploy', [], /--to-environment is missing: name the environment.*Usage: npm run can-i-deploy/],
  ['can-i-deploy', ['--to-environment', 'test', '--retry-while-unknown', 'lots'], /--retry-while-unknown must be a whole number from 0 to 60, got "lots"/],
  ['can-i-deploy', ['--to-environment', 'test', '--to', 'prod'], /Unknown option '--to'/],
  ['record-deployment', [], /--environment is missing/],
  ['record-deployment', ['--environment', 'two words'], /--environment "two words" is not an environment name/],
])('%s %j is refused before asking the broker', async (script, args, message) => {
  const run = await runBrokerScript(script, args, env);

  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(broker.requests).toEqual([]);
});
