import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from 'jest';
import type { Config as JestConfig } from '@jest/types';
import { PROJECT_ROOT, discoverConsumers } from '../../scripts/lib/project';
import { inheritedEnv } from '../pipeline/fixture-project';

const execFileAsync = promisify(execFile);
const JEST = require.resolve('jest/bin/jest');

export { PROJECT_ROOT };

/** The environment of a nested Jest run: ours, chosen, never the outer run's as a whole. */
const jestEnv = (pactDir: string) => ({ ...inheritedEnv(), PACT_DIR: pactDir });

/** Every consumer's contract spec, as a Jest path pattern: `tests/contracts/consumer-<x>.pact.test.ts`. */
export function contractSpecs(): string[] {
  return discoverConsumers().map((consumer) => `${consumer.spec.replace(/\./g, '\\.')}$`);
}

/**
 * Jest's arguments for a nested run of contract specs, in band as `npm run test:consumer-<x>` runs them (one process
 * loads Jest and TypeScript once, where workers would each load them), its report as JSON in `report`.
 */
const contractRunArgs = (report: string, specs: string[]) => [
  JEST,
  '--ci',
  '--runInBand',
  '--silent',
  '--json',
  `--outputFile=${report}`,
  ...specs,
];

/** The spec files a nested run's JSON report says failed, relative to the project; the report is then removed. */
function failedSpecs(report: string): string[] {
  const results = existsSync(report)
    ? (JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string; status: string }[] }).testResults
    : [];
  rmSync(report, { force: true });
  return results
    .filter((result) => result.status !== 'passed')
    .map((result) => path.relative(PROJECT_ROOT, result.name));
}

/** A nested run that failed: one line naming the spec that failed (its own report, in the same `npm test`, says why). */
function specsFailed(failed: string[], output: string): Error {
  const error = new Error(
    failed.length > 0
      ? `${failed.join(' and ')} failed (its report says why), so its pacts are not written.`
      : `The contract specs did not run:\n${output}`,
  );
  if (failed.length > 0) error.stack = error.message;
  return error;
}

/** Runs contract specs in a Jest process of their own that writes the pacts to `pactDir`. */
export async function runContractSpecs(pactDir: string, ...specs: string[]): Promise<void> {
  const report = path.join(pactDir, '.jest-report.json');
  try {
    await execFileAsync(process.execPath, contractRunArgs(report, specs), { cwd: PROJECT_ROOT, env: jestEnv(pactDir) });
    rmSync(report, { force: true });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw specsFailed(failedSpecs(report), `${stdout}${stderr}`);
  }
}

/** What a suite that replays the real pacts needs to know before it registers its tests. */
interface ContractPacts {
  pactDir: string;
  /** The contract specs that failed (`tests/contracts/consumer-a.pact.test.ts`); their pacts were not written. */
  failed: string[];
}

/**
 * Every consumer's contract spec, run now (synchronously, so a test file can decide at load what it registers) in a
 * Jest process of its own, writing the pacts to `pactDir`. A spec that fails is its own report's failure, in this
 * same `npm test`; a run that fails otherwise (no report, a crash) throws with Jest's output.
 */
export function runContractSpecsNow(pactDir: string): ContractPacts {
  const report = path.join(pactDir, '.jest-report.json');
  const run = spawnSync(process.execPath, contractRunArgs(report, contractSpecs()), {
    cwd: PROJECT_ROOT,
    env: jestEnv(pactDir),
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  const failed = failedSpecs(report);
  if (run.status !== 0 && failed.length === 0) throw specsFailed([], `${run.stdout}${run.stderr}`);
  return { pactDir, failed };
}

/**
 * What a suite downstream of the contract specs registers when one failed: that spec's report is the one failure to
 * read, so the suite prints one line naming it and holds one test, that the pacts it would replay are indeed absent.
 */
export function notRunWhileSpecsFail(suite: string, { pactDir, failed }: ContractPacts): void {
  process.stderr.write(`${suite}: not run, because ${failed.join(' and ')} failed (its report says why).\n`);
  it(`is not run while ${failed.join(' and ')} fails, as its pacts are not written`, () => {
    const consumers = discoverConsumers().filter((consumer) => failed.includes(consumer.spec));
    expect(consumers.map((consumer) => existsSync(path.join(pactDir, consumer.pactFile)))).toEqual(
      failed.map(() => false),
    );
  });
}

/** One interaction of a fixture spec, which its client requests as described. */
export interface FixtureInteraction {
  description: string;
  path: string;
}

/**
 * The source of a passing contract spec for `consumer`, as a team would write it with our helper, with one test per
 * interaction. Tests of how pacts are written use these instead of the project's own specs, so they never
 * depend on today's consumers, interactions or clients.
 */
export function fixtureSpec(consumer: string, interactions: FixtureInteraction[]): string {
  const tests = interactions.map(
    ({ description, path: requested }) => `
it(${JSON.stringify(`makes ${description}`)}, () =>
  aggregator
    .addInteraction()
    .uponReceiving(${JSON.stringify(description)})
    .withRequest('GET', ${JSON.stringify(requested)})
    .willRespondWith(200, (response) => response.jsonBody({ ok: true }))
    .executeTest((server) => axios.get(server.url + ${JSON.stringify(requested)})));`,
  );
  // Plain CommonJS: Jest runs it without a transform, so each fresh fixture costs no TypeScript compile.
  return `const axios = require('axios');
const { contractWithAggregator } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'tests', 'contracts', 'contract-with-aggregator'))});

const aggregator = contractWithAggregator(${JSON.stringify(consumer)});
${tests.join('\n')}
`;
}

/**
 * A spec file that declares its pact file as our helper does (the contract environment's side of it) and writes it
 * itself, in a test whose body then runs `during`; `after` is more source at the end of the file. For what the
 * environment does with a pact file (removal, provenance) without the cost of pact-js and a mock server.
 */
export function pactWritingSpec(pactFile: string, { during = '', after = '' } = {}): string {
  return `const { writeFileSync } = require('node:fs');
const { declarePactFile } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'tests', 'contracts', 'declared-pact-files'))});

declarePactFile(${JSON.stringify(pactFile)});
it('writes its pact', () => {
  writeFileSync(${JSON.stringify(pactFile)}, '{"interactions": ["one", "two"]}');
  ${during}
});
${after}
`;
}

/** jest.config.ts, as Jest reads it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jestConfig = require(path.join(PROJECT_ROOT, 'jest.config.ts')) as Config;

/**
 * jest.config.ts's contracts project (the contract environment and what it needs) for the fixture specs in `roots`,
 * its paths made absolute so that `rootDir`, the project whose git state the provenance records name, can be any
 * folder. No displayName: Jest's report of a nested run reads as a user's run of one project.
 */
function fixtureProject(roots: string[], rootDir: string): JestConfig.InitialProjectOptions {
  const contracts = jestConfig.projects?.find(
    (project): project is JestConfig.InitialProjectOptions =>
      typeof project === 'object' && project.displayName === 'contracts',
  );
  if (contracts === undefined) throw new Error('jest.config.ts has no project with the displayName "contracts"');
  const project = { ...contracts };
  delete project.displayName;
  const absolute = JSON.parse(JSON.stringify(project).replaceAll('<rootDir>', PROJECT_ROOT)) as typeof project;
  // Jest looks packages up from rootDir: this project's, resolved here.
  const ours = (name: string) => require.resolve(name, { paths: [PROJECT_ROOT] });
  const transform = Object.fromEntries(
    Object.entries(absolute.transform ?? {}).map(([pattern, entry]) => [
      pattern,
      typeof entry === 'string' ? ours(entry) : ([ours(entry[0]), entry[1]] satisfies [string, unknown]),
    ]),
  );
  return {
    ...absolute,
    transform,
    testRunner: ours('jest-circus/runner'),
    rootDir,
    roots,
    testMatch: ['**/generated-*.pact.test.js'],
  };
}

/** Fixture specs that run as another project's: `rootDir` is its root (a git checkout of a test's making). */
interface FixtureElsewhere {
  rootDir: string;
  sources: string[];
}

export interface GeneratedSpecOptions {
  /** Each spec file in a Jest worker process of its own at the same time, as `npm test` runs spec files. */
  inWorkers?: boolean;
  /** Jest's `--verbose`: every file's report lists its tests, as Jest's report of a run of one file does. */
  verbose?: boolean;
  /** More specs in the same run, each group as a project of its own root; numbered after `source`'s. */
  elsewhere?: FixtureElsewhere[];
}

/**
 * Runs specs written on the fly (e.g. ones that must fail) in a Jest process of their own, as jest.config.ts's
 * contracts project. They live in a git-ignored folder outside tests/, so no other Jest run ever picks them up.
 * The sources (`generated-<index>.pact.test.js`) run one after the other in this one process (in band), or each
 * in a worker (`inWorkers`).
 */
export async function runGeneratedSpec(
  source: string | string[],
  pactDir: string,
  { inWorkers = false, verbose = false, elsewhere = [] }: GeneratedSpecOptions = {},
): Promise<{ code: number; output: string }> {
  const parent = path.join(PROJECT_ROOT, '.generated-specs');
  mkdirSync(parent, { recursive: true });
  const groups = [{ rootDir: PROJECT_ROOT, sources: typeof source === 'string' ? [source] : source }, ...elsewhere];
  const dirs: string[] = [];
  let index = 0;
  const projects = groups.map(({ rootDir, sources }) => {
    const dir = mkdtempSync(path.join(parent, 'spec-'));
    dirs.push(dir);
    for (const text of sources) writeFileSync(path.join(dir, `generated-${index++}.pact.test.js`), text);
    return fixtureProject([dir], rootDir);
  });
  const { testTimeout, workerGracefulExitTimeout } = jestConfig;
  const config = { testTimeout, workerGracefulExitTimeout, projects };
  try {
    const jestArgs = [
      '--ci',
      inWorkers ? `--maxWorkers=${index}` : '--runInBand',
      ...(verbose ? ['--verbose'] : []),
      '--config',
      JSON.stringify(config),
    ];
    const { stdout, stderr } = await execFileAsync(process.execPath, [JEST, ...jestArgs], {
      cwd: PROJECT_ROOT,
      env: jestEnv(pactDir),
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failure.code === 'number' ? failure.code : 1,
      output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** What Jest printed for the generated spec file `index` of a run of several: from its PASS or FAIL line to the next file's. */
export function fileReport(output: string, index: number): string {
  return (
    output
      .split(/^(?=PASS |FAIL )/m)
      .find((report) => new RegExp(`^\\S+ \\S*/generated-${index}\\.pact\\.test\\.js\\b`).test(report)) ?? ''
  );
}

/**
 * The blocks Jest prints for one test's failures, in order: each of its errors is a block headed
 * `● <test name>`, here as its lines without Jest's indentation and blank lines, up to the first line Jest did not
 * indent (its closing summary, or a line another process printed meanwhile).
 */
export function failureBlocks(output: string, test: string): string[][] {
  return output
    .split(/^\s*● /m)
    .slice(1)
    .filter((block) => block.startsWith(`${test}\n`))
    .map((block) => {
      const lines = block.split('\n').slice(1);
      const end = lines.findIndex((line) => /^\S/.test(line));
      return lines
        .slice(0, end === -1 ? undefined : end)
        .map((line) => line.trim())
        .filter((line) => line !== '');
    });
}
