import { createFixtureProject, runScriptIn, type FixtureProject } from './support/fixture-project';
import { startFixtureServer, type FixtureServer } from './support/http-fixture';

// Bad flags to can-i-deploy and record-deployment: one clear line, exit 2, and not one request to the broker
// (a server that only records requests; what a real broker answers is tests/e2e/consumer-driven-loop.test.ts).

let project: FixtureProject;
let broker: FixtureServer;
beforeAll(async () => {
  project = createFixtureProject();
  broker = await startFixtureServer({ status: 500 });
});
afterAll(async () => {
  project.remove();
  await broker.close();
});

it.each([
  ['can-i-deploy', [], /--to-environment is missing: name the environment.*Usage: npm run can-i-deploy/],
  ['can-i-deploy', ['--to-environment', 'test', '--retry-while-unknown', 'lots'], /--retry-while-unknown must be a whole number from 0 to 60, got "lots"/],
  ['can-i-deploy', ['--to-environment', 'test', '--to', 'prod'], /Unknown option '--to'/],
  ['record-deployment', [], /--environment is missing/],
  ['record-deployment', ['--environment', 'two words'], /--environment "two words" is not a usable name: use letters, digits/],
])('%s %j is refused before asking the broker', async (script, args, message) => {
  const env = { PACT_BROKER_URL: broker.url, BROKER_USERNAME: 'writer', BROKER_PASSWORD: 'Pa55-w0rd-never-printed', GIT_COMMIT: project.head, GIT_BRANCH: 'main' };

  const run = await runScriptIn(project.root, script, args, env);

  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(broker.requests).toEqual([]);
});
