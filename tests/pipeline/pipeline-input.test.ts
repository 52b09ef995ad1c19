import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBrokerConfig } from '../../scripts/lib/broker-config';
import { resolveConsumerVersion } from '../../scripts/lib/consumer-version';
import { cliEnvironment } from '../../scripts/lib/pact-cli';
import { prepareBrokerStep } from '../../scripts/lib/broker-step';
import { MAX_PACT_BYTES, readPactFiles } from '../../scripts/lib/pact-files';
import { checkProvenance, provenanceFile } from '../../scripts/lib/provenance';
import { checkTags, publishArgs } from '../../scripts/lib/publish-step';
import {
  checkCliValue,
  cliValueProblem,
  ConfigError,
  dryRunRequested,
  loadEnv,
  nameFlag,
  parseFlags,
  refuseNpmDryRun,
} from '../../scripts/lib/script';
import { createFixtureProject, fixturePact, refusalOf, writeRecord, type FixtureProject } from './fixture-project';

// Everything the pipeline steps refuse before sending anything, checked in-process: one clear line
// (a ConfigError, which the scripts print and exit 2 on), and never a secret or a file's content in it.

const BROKER = {
  PACT_BROKER_URL: 'https://broker.example.com',
  BROKER_USERNAME: 'writer',
  BROKER_PASSWORD: 'Secret-Pa55word!',
};
const temp = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));

describe("npm's own flags", () => {
  const TAG_FLAG = { tag: { type: 'string', multiple: true } } as const;

  it('a script flag npm kept for itself (given before --) is refused', () => {
    expect(refusalOf(() => parseFlags([], TAG_FLAG, 'usage', { npm_config_tag: 'prod' }))).toMatch(
      /^npm took --tag for itself/,
    );
  });

  it("the same setting from an .npmrc (tag= is npm's own) is no refusal, and a different value on the command line still is", () => {
    const dir = temp('npmrc');
    const userconfig = path.join(dir, '.npmrc');
    writeFileSync(userconfig, 'registry=https://registry.npmjs.org/\ntag = next\n');

    expect(
      parseFlags(['--tag', 'x'], TAG_FLAG, 'usage', { npm_config_tag: 'next', npm_config_userconfig: userconfig }).tag,
    ).toEqual(['x']);
    expect(
      refusalOf(() => parseFlags([], TAG_FLAG, 'usage', { npm_config_tag: 'prod', npm_config_userconfig: userconfig })),
    ).toMatch(/^npm took --tag for itself/);
  });
});

describe('values that reach the pact CLI', () => {
  it.each([
    ['--help', /starts with "-"/],
    ['--skip-ssl-verification', /starts with "-"/],
    ['-h', /starts with "-"/],
    ['main\nmalicious', /newline, a control character/],
    ['tab\there', /control character/],
    ['esc\u001b[31m', /control character/],
    ['line\u2028separator', /control character/],
    // Invisible: a bidi override that makes a name read otherwise, a zero-width space, a soft hyphen.
    ['main\u202egnp.exe', /invisible/],
    ['\u200b', /invisible/],
    ['re\u00adlease', /invisible/],
    ['\u00a0--help', /starts or ends with a space/],
    ['x'.repeat(1025), /longer than 1024 characters/],
    ['', /is empty/],
  ])('refuses %j', (value, problem) => {
    expect(cliValueProblem(value)).toMatch(problem);
  });

  it.each(['main', 'feature/per-capita', 'v1.2.3-rc.1', 'https://ci.example.com/job/1?x=-y'])('accepts %j', (value) => {
    expect(cliValueProblem(value)).toBeUndefined();
  });

  it("shows a flag's value but never a variable's", () => {
    expect(refusalOf(() => checkCliValue('--help', { name: '--tag', showValue: true }))).toBe(
      '--tag "--help" starts with "-", so the pact CLI would take it for an option: give a plain value.',
    );
    expect(refusalOf(() => checkCliValue('-secret-value', { name: 'GIT_BRANCH', showValue: false }))).not.toContain(
      'secret-value',
    );
  });

  it.each([['--tag=--help'], ['-x'], ['a,b'], ['two words'], ['x\ny']])('refuses the tag %j', (tag) => {
    expect(() => checkTags([tag])).toThrow(ConfigError);
  });

  it.each([
    ['--to-environment', '--help'],
    ['--environment', '-production'],
    ['--environment', 'prod\nuction'],
    ['--application-instance', '--skip-ssl-verification'],
  ])('refuses %s %j', (flag, value) => {
    expect(refusalOf(() => nameFlag(value, flag, 'usage'))).toMatch(new RegExp(`^${flag} `));
  });

  it.each([
    [{ GIT_COMMIT: '--help' }, /^GIT_COMMIT starts with "-"/],
    [{ GIT_COMMIT: 'c0ffee1', GIT_BRANCH: 'main\nevil' }, /^GIT_BRANCH contains a newline/],
    [{ GIT_COMMIT: 'c0ffee1', GIT_BRANCH: '--skip-ssl-verification' }, /^GIT_BRANCH starts with "-"/],
    [{ GIT_COMMIT: 'c0ffee1', CIRCLE_BRANCH: '-x' }, /^CIRCLE_BRANCH starts with "-"/],
    [{ GIT_COMMIT: 'c0ffee1', BUILD_URL: '--help' }, /^BUILD_URL starts with "-"/],
    [{ GIT_COMMIT: 'c0ffee1', CI_JOB_URL: 'https://x\r\nInjected: 1' }, /^CI_JOB_URL contains a newline/],
  ])('refuses version, branch and build URL from %o without showing them', (env, message) => {
    const text = refusalOf(() => resolveConsumerVersion(env, temp('outside-git')));
    expect(text).toMatch(message);
    expect(text).not.toMatch(/evil|Injected|skip-ssl|--help/);
  });

  it('passes every option in --name=value form', () => {
    const version = {
      number: 'c0ffee1',
      numberSource: 'GIT_COMMIT',
      branch: 'main',
      buildUrl: 'https://ci.example.com/1',
    };
    const pact = '/p/x-aggregator.json';
    const options = publishArgs(pact, 'https://b.example.com', version, ['dev', 'rc']).filter((arg) =>
      arg.startsWith('-'),
    );
    expect(options.length).toBeGreaterThan(5);
    expect(options.every((option) => /^--[a-z-]+=\S/.test(option))).toBe(true);
    expect(options).toContain('--tag=dev,rc');
  });
});

describe('dry runs', () => {
  it("honours npm's own --dry-run, which reaches the script only as npm_config_dry_run", () => {
    expect(dryRunRequested(undefined, { npm_config_dry_run: 'true' })).toBe(true);
    expect(dryRunRequested(undefined, { npm_config_dry_run: 'false' })).toBe(false);
    expect(dryRunRequested(undefined, {})).toBe(false);
    expect(dryRunRequested(true, {})).toBe(true);
  });

  it('can-i-deploy, which has none, refuses it', () => {
    expect(refusalOf(() => refuseNpmDryRun('can-i-deploy', { npm_config_dry_run: 'true' }))).toMatch(
      /^can-i-deploy has no dry run/,
    );
  });

  it('need no credentials, but check them when set', () => {
    expect(readBrokerConfig({ PACT_BROKER_URL: 'https://b.example.com' }, { dryRun: true }).auth).toBeUndefined();
    expect(() => readBrokerConfig({ PACT_BROKER_URL: 'https://b.example.com' })).toThrow(/No broker credentials/);
    expect(() =>
      readBrokerConfig({ PACT_BROKER_URL: 'https://b.example.com', BROKER_USERNAME: 'u' }, { dryRun: true }),
    ).toThrow(/BROKER_PASSWORD/);
  });
});

describe('broker variables', () => {
  it.each([
    [{ PACT_BROKER_URL: 'hunter2-the-password' }, /^PACT_BROKER_URL is not a valid URL/],
    [{ PACT_BROKER_URL: 'ftp://hunter2-the-password' }, /^PACT_BROKER_URL must be an http/],
    [{ PACT_BROKER_URL: 'https://user:hunter2-the-password@b.example.com' }, /^PACT_BROKER_URL contains credentials/],
    [
      { PACT_BROKER_HTTP_RETRIES: 'hunter2-the-password' },
      /^PACT_BROKER_HTTP_RETRIES must be a whole number of attempts from 1 to 6\.$/,
    ],
    [{ PACT_BROKER_TIMEOUT_SECONDS: 'hunter2-the-password' }, /^PACT_BROKER_TIMEOUT_SECONDS must be a whole number/],
  ])('never echo a value pasted into the wrong variable (%o)', (overrides, message) => {
    const text = refusalOf(() => readBrokerConfig({ ...BROKER, ...overrides }));
    expect(text).toMatch(message);
    expect(text).not.toContain('hunter2');
  });

  it('refuse an SSL_CERT_FILE that does not exist, naming the variable only', () => {
    const text = refusalOf(() => readBrokerConfig({ ...BROKER, SSL_CERT_FILE: '/nowhere/hunter2-the-password.pem' }));

    expect(text).toMatch(/^SSL_CERT_FILE names a file that does not exist/);
    expect(text).not.toContain('hunter2');
  });

  it("carry SSL_CERT_FILE and PACT_DO_NOT_TRACK from .env into the CLI's environment, and nothing it was not chosen for", () => {
    const caFile = path.join(temp('ca'), 'ca.pem');
    writeFileSync(caFile, 'not checked here');

    const env = cliEnvironment(
      readBrokerConfig({
        ...BROKER,
        SSL_CERT_FILE: caFile,
        PACT_DO_NOT_TRACK: 'false',
        PACT_DESCRIPTION: 'one interaction',
        NODE_OPTIONS: '--require /tmp/evil.js',
        CI_JOB_TOKEN: 'ci-secret',
      }),
    );

    expect(env).toMatchObject({ SSL_CERT_FILE: caFile, PACT_DO_NOT_TRACK: 'false', PACT_BROKER_USERNAME: 'writer' });
    expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['PACT_DESCRIPTION']));
    expect(env).not.toHaveProperty('NODE_OPTIONS');
    expect(env).not.toHaveProperty('CI_JOB_TOKEN');
    expect(env).not.toHaveProperty('BROKER_PASSWORD');
  });

  it('refuse SSL_SKIP_VERIFICATION: the pipeline never skips TLS verification', () => {
    expect(refusalOf(() => readBrokerConfig({ ...BROKER, SSL_SKIP_VERIFICATION: 'true' }))).toMatch(
      /^SSL_SKIP_VERIFICATION is set: the pipeline never skips TLS verification.*SSL_CERT_FILE/,
    );
  });
});

describe('.env', () => {
  let dir: string;
  beforeEach(() => {
    dir = temp('dotenv');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file named by DOTENV_CONFIG_PATH is one clear line', () => {
    expect(refusalOf(() => loadEnv({ DOTENV_CONFIG_PATH: path.join(dir, 'missing.env') }, dir))).toMatch(
      /^DOTENV_CONFIG_PATH names .*missing\.env, which does not exist/,
    );
  });

  it('says which variable came from .env, and notes where .env and the environment disagree, by name only', () => {
    writeFileSync(path.join(dir, '.env'), 'PACT_BROKER_HTTP_RETRIES=lots\nBROKER_PASSWORD=from-file-secret\n');
    const notes: string[] = [];
    const env = loadEnv(
      { BROKER_PASSWORD: 'from-env-secret', PACT_BROKER_URL: 'https://b.example.com', BROKER_USERNAME: 'u' },
      dir,
      (line) => notes.push(line),
    );

    expect(notes).toEqual([
      `Note: BROKER_PASSWORD is set both in the environment and in ${path.join(dir, '.env')}, differently: the environment's value wins.`,
    ]);
    expect(refusalOf(() => readBrokerConfig(env))).toBe(
      `PACT_BROKER_HTTP_RETRIES (from ${path.join(dir, '.env')}) must be a whole number of attempts from 1 to 6.`,
    );
  });
});

describe('the pacts folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = temp('pact-dir');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing folder is told apart from an empty one', () => {
    expect(refusalOf(() => readPactFiles(path.join(dir, 'nowhere')))).toMatch(
      /^The pacts folder .*nowhere\/ does not exist/,
    );
    expect(refusalOf(() => readPactFiles(dir))).toMatch(/^No pact files in .*\/ \(the folder is empty of \*\.json\)/);
  });

  it('never advises deleting a file the user did not create (PACT_DIR=.)', () => {
    writeFileSync(path.join(dir, 'package-lock.json'), '{"name": "x", "lockfileVersion": 3}');
    const text = refusalOf(() => readPactFiles(dir));
    expect(text).toMatch(
      /package-lock\.json is not a usable pact \(it has no consumer name\).*check that PACT_DIR names the pacts folder/,
    );
    expect(text).not.toMatch(/delete|remove/i);
  });

  it('never quotes the content of a file that is not JSON', () => {
    writeFileSync(path.join(dir, 'x-aggregator.json'), 'ghp_TheSecretTokenInAFile');
    const text = refusalOf(() => readPactFiles(dir));
    expect(text).toMatch(/x-aggregator\.json is not valid JSON/);
    expect(text).not.toContain('ghp_');
    expect(text).not.toMatch(/delete/i);
  });

  it('refuses a pact too large for the pact CLI before sending it', () => {
    writeFileSync(path.join(dir, 'x-aggregator.json'), Buffer.alloc(MAX_PACT_BYTES + 1, 32));
    expect(refusalOf(() => readPactFiles(dir))).toMatch(
      /^.*x-aggregator\.json is 4\.0 MB, over the 4\.0 MB this pipeline sends: the pact CLI takes minutes/,
    );
  });
});

describe('provenance', () => {
  let project: FixtureProject;
  let pact: string;
  beforeEach(() => {
    project = createFixtureProject({ consumers: ['fixture_one'] });
    pact = project.pactOf('fixture_one');
  });
  afterEach(() => project.remove());

  const check = (version = project.head) =>
    refusalOf(() => checkProvenance(pact, readFileSync(pact), 'pacts/fixture_one-aggregator.json', version));

  it('accepts a pact written at the version from a clean tree, also under an abbreviated commit', () => {
    expect(() => checkProvenance(pact, readFileSync(pact), 'p', project.head)).not.toThrow();
    expect(() => checkProvenance(pact, readFileSync(pact), 'p', project.head.slice(0, 12))).not.toThrow();
  });

  it('refuses a pact written at another commit', () => {
    expect(check('0123456789abcdef0123456789abcdef01234567')).toMatch(
      /^pacts\/fixture_one-aggregator\.json was written at commit [0-9a-f]{12}, not at 0123456789ab.*run the contract tests \(npm test\)/,
    );
  });

  it('refuses a pact written from a dirty tree', () => {
    writeRecord(pact, project.head, {
      end: { commit: project.head, clean: false, changes: ['src/consumer-a/client.ts'] },
    });
    expect(check()).toMatch(
      /whose working tree had uncommitted changes when it ended \(src\/consumer-a\/client\.ts\): commit your changes, then run the contract tests/,
    );
  });

  it('refuses a pact changed after it was written (a hand edit)', () => {
    writeFileSync(pact, `${' '.repeat(1)}${readFileSync(pact, 'utf8')}`);
    expect(check()).toMatch(/changed after the contract tests' run [0-9a-f]{8} wrote it/);
  });

  it.each([
    ['no record', () => rmSync(provenanceFile(pact))],
    ['a record that is not JSON', () => writeFileSync(provenanceFile(pact), 'top-secret-content')],
    [
      'a record by another writer',
      () =>
        writeFileSync(
          provenanceFile(pact),
          JSON.stringify({ writer: 'someone', pactFile: 'fixture_one-aggregator.json' }),
        ),
    ],
    [
      'a record whose commit is not a string',
      () =>
        writeRecord(pact, project.head, { end: { commit: 1234567 as unknown as string, clean: true, changes: [] } }),
    ],
  ])("refuses a pact not written by this repo's contract tests (%s)", (_case, spoil) => {
    spoil();
    const text = check();
    expect(text).toMatch(
      /has no provenance record \(\.provenance\/\): no finished, all-green run|no valid provenance record/,
    );
    expect(text).not.toContain('top-secret');
  });

  it('a record copied beside another pact does not vouch for it', () => {
    const other = path.join(project.pactDir, 'fixture_two-aggregator.json');
    writeFileSync(other, readFileSync(pact));
    mkdirSync(path.dirname(provenanceFile(other)), { recursive: true });
    writeFileSync(provenanceFile(other), readFileSync(provenanceFile(pact)));
    expect(refusalOf(() => checkProvenance(other, readFileSync(other), 'o', project.head))).toMatch(
      /no valid provenance record/,
    );
  });

  it('every step checks it before anything else is done with the broker, and refuses a foreign pact', () => {
    const env = { ...BROKER, GIT_COMMIT: project.head, DOTENV_CONFIG_PATH: '/dev/null' };
    expect(() => prepareBrokerStep(project.root, env)).not.toThrow();
    writeFileSync(path.join(project.pactDir, 'evil_consumer-aggregator.json'), fixturePact('evil_consumer'));
    expect(refusalOf(() => prepareBrokerStep(project.root, env))).toMatch(
      /evil_consumer-aggregator\.json is a pact of "evil_consumer", which is not a consumer of this project/,
    );
    rmSync(path.join(project.pactDir, 'evil_consumer-aggregator.json'));
    expect(refusalOf(() => prepareBrokerStep(project.root, { ...env, GIT_COMMIT: 'abcdef0123456' }))).toMatch(
      /^GIT_COMMIT is abcdef012345, but this checkout is at/,
    );
  });
});
