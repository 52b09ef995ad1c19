import { createFixtureProject, runScriptIn, type FixtureProject } from './fixture-project';
import { startFixtureServer, type FixtureServer } from '../clients/fixture-server';

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
  [
    'can-i-deploy',
    [],
    /--to-environment is missing its name, e.g. --to-environment production. Usage: npm run can-i-deploy/,
  ],
  [
    'can-i-deploy',
    ['--to-environment', 'test', '--retry-while-unknown', 'lots'],
    /--retry-while-unknown must be a whole number from 0 to 60, got "lots"/,
  ],
  ['can-i-deploy', ['--to-environment', 'test', '--to', 'prod'], /Unknown option '--to'/],
  ['record-deployment', [], /--environment is missing/],
  [
    'record-deployment',
    ['--environment', 'two words'],
    /--environment "two words" is not a usable name: use letters, digits/,
  ],
  [
    'record-deployment',
    ['--environment', 'production', '--application-instance', ''],
    /--application-instance is missing its name, e.g. --application-instance blue/,
  ],
  // parseArgs keeps the last of a repeated flag: a "yes" for staging must not pass for production.
  [
    'can-i-deploy',
    ['--to-environment', 'production', '--to-environment', 'staging'],
    /--to-environment was given more than once: give it once/,
  ],
  [
    'record-deployment',
    ['--environment', 'production', '--environment', 'staging'],
    /--environment was given more than once/,
  ],
  // `npm run can-i-deploy --retry-while-unknown=50 -- …`: npm keeps the flag and passes it on only like this.
  [
    'can-i-deploy',
    ['--to-environment', 'production'],
    /npm took --retry-while-unknown for itself .*npm_config_retry_while_unknown.*put the script's flags after --/,
    { npm_config_retry_while_unknown: '50' },
  ],
  [
    'record-deployment',
    ['--environment', 'production'],
    /npm took --application-instance for itself/,
    { npm_config_application_instance: 'blue' },
  ],
])(
  '%s %j is refused before asking the broker',
  async (script, args, message, extraEnv: Record<string, string> = {}) => {
    const env = {
      PACT_BROKER_URL: broker.url,
      BROKER_USERNAME: 'writer',
      BROKER_PASSWORD: 'Pa55-w0rd-never-printed',
      GIT_COMMIT: project.head,
      GIT_BRANCH: 'main',
      ...extraEnv,
    };

    const run = await runScriptIn(project.root, script, args, env);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(broker.requests).toEqual([]);
  },
);
