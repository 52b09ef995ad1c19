/**
 * npm run bench [-- --runs 5] [--json bench-results.json] [--only contracts|breakdown|scaling|suite]
 * Times whole processes (after a warm-up) and compares each consumer's suite, as `npm run test:consumer-<x>`
 * runs it, with a bare-Jest floor measured in the same run, contract and floor alternating run by run.
 * Prints medians with min–max and the ratio; writes the figures as JSON. Never part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROVIDER } from '../src/shared/provider';
import { ConfigError } from '../scripts/lib/errors';
import { PROJECT_ROOT } from '../scripts/lib/project';
import { EXIT, parseFlags, runScript, wholeNumberFlag } from '../scripts/lib/script';

const JEST = require.resolve('jest/bin/jest');
const FLOOR_CONFIG = path.join(PROJECT_ROOT, 'tools', 'bench-floor', 'jest.config.js');
const USAGE = 'npm run bench [-- --runs <n>] [--json <file>] [--only contracts|breakdown|scaling|suite]';
const PARTS = ['contracts', 'breakdown', 'scaling', 'suite'] as const;
/** The whole `npm test` should take no longer than this on a 2-core machine. */
const SUITE_TARGET_SECONDS = 25;

interface Figures {
  label: string;
  runs: number[];
  median: number;
  min: number;
  max: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: PROJECT_ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed:\n${stdout}${stderr}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

const figuresOf = (label: string, runs: number[]): Figures => ({ label, runs, median: median(runs), min: Math.min(...runs), max: Math.max(...runs) });
const seconds = (figures: Figures) => `${figures.median.toFixed(3)} s (${figures.min.toFixed(3)}–${figures.max.toFixed(3)})`;

/** One warm-up, then `runs` timed runs; `prepare` runs before each (untimed), e.g. to clear a cache. */
async function measure(label: string, runs: number, once: () => Promise<number>, prepare: () => void = () => undefined): Promise<Figures> {
  prepare();
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    prepare();
    times.push(await once());
  }
  const figures = figuresOf(label, times);
  console.log(`  ${label.padEnd(58)} ${seconds(figures)}`);
  return figures;
}

/** A Jest process with its cache in `cacheDir` (fresh for cold runs, kept for warm ones). */
const jest = (cacheDir: string, env: NodeJS.ProcessEnv, ...args: string[]) => () => run(process.execPath, [JEST, '--ci', '--silent', `--cacheDirectory=${cacheDir}`, ...args], env);

/** A consumer's suite: found from tests/consumer-<x>.pact.test.ts and the npm script test:consumer-<x>. */
interface Suite {
  name: string;
  script: string;
  /** The script's Jest arguments (`jest --runInBand tests/consumer-a` gives ["--runInBand", "tests/consumer-a"]). */
  jestArgs: string[];
}

/**
 * The options among a suite's Jest arguments (those starting with `-`, such as `--runInBand`), which the floor
 * is run with too: an option of the script must not favour one side. Path patterns are the suite's own.
 */
const jestOptions = (suite: Pick<Suite, 'jestArgs'>): string[] => suite.jestArgs.filter((arg) => arg.startsWith('-'));

/** Every consumer with a pact spec and a script; a consumer missing either is reported, not guessed at. */
export function discoverSuites(root: string = PROJECT_ROOT): { suites: Suite[]; skipped: string[] } {
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const specs = readdirSync(path.join(root, 'tests'))
    .map((file) => /^consumer-(.+)\.pact\.test\.ts$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .map((name) => `consumer-${name}`);
  const scripted = Object.keys(scripts)
    .map((script) => /^test:(consumer-.+)$/.exec(script)?.[1])
    .filter((name): name is string => name !== undefined);
  const suites: Suite[] = [];
  const skipped: string[] = [];
  for (const name of [...new Set([...specs, ...scripted])].sort()) {
    const command = scripts[`test:${name}`];
    const [tool, ...jestArgs] = command?.trim().split(/\s+/) ?? [];
    if (!specs.includes(name) || tool !== 'jest') {
      skipped.push(`${name}: ${!specs.includes(name) ? `no tests/${name}.pact.test.ts` : command === undefined ? `no npm script test:${name}` : `test:${name} is not a plain jest command`}`);
    } else {
      suites.push({ name, script: `test:${name}`, jestArgs });
    }
  }
  return { suites, skipped };
}

/**
 * The floor of a suite: for each test file the suite runs, a plain-JS file with as many tests and as many
 * HTTP requests, counted in one untimed run of that file alone (tools/bench-floor/count-requests.js).
 */
async function writeFloor(suite: Suite, work: string, env: NodeJS.ProcessEnv): Promise<{ dir: string; files: { file: string; tests: number; requests: number }[] }> {
  const listing = path.join(work, `${suite.name}-tests.json`);
  await run(process.execPath, [JEST, '--ci', '--silent', '--json', `--outputFile=${listing}`, ...suite.jestArgs], env);
  const results = (JSON.parse(readFileSync(listing, 'utf8')) as { testResults: { name: string; assertionResults: unknown[] }[] }).testResults;
  const dir = path.join(work, 'floor', suite.name);
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (const result of results) {
    const countFile = path.join(work, `${suite.name}-${path.basename(result.name)}.requests`);
    const counting = { ...env, BENCH_REQUEST_COUNT_FILE: countFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${path.join(PROJECT_ROOT, 'tools', 'bench-floor', 'count-requests.js')}`.trim() };
    await run(process.execPath, [JEST, '--ci', '--silent', '--runTestsByPath', result.name], counting);
    const floor = { file: path.relative(PROJECT_ROOT, result.name), tests: result.assertionResults.length, requests: Number(readFileSync(countFile, 'utf8')) };
    files.push(floor);
    const floorFile = path.join(dir, `${path.basename(result.name).replace(/\.test\.ts$/, '')}.floor.test.js`);
    writeFileSync(floorFile, `require(${JSON.stringify(path.join(PROJECT_ROOT, 'tools', 'bench-floor', 'requests.js'))}).floorSuite(${JSON.stringify(`floor for ${floor.file}`)}, ${floor.tests}, ${floor.requests});\n`);
  }
  return { dir, files };
}

/**
 * Contract and floor alternate run by run (after one warm-up each), so both see the same machine load;
 * the ratio is given as the ratio of the medians and the min–max of the paired ratios.
 */
async function paired(label: string, runs: number, contract: () => Promise<number>, floor: () => Promise<number>, prepare: () => void) {
  prepare();
  await contract();
  await floor();
  const contractRuns: number[] = [];
  const floorRuns: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    prepare();
    contractRuns.push(await contract());
    floorRuns.push(await floor());
  }
  const ratios = contractRuns.map((time, index) => time / (floorRuns[index] ?? Number.NaN));
  const result = {
    label,
    contract: figuresOf(`${label} contracts`, contractRuns),
    floor: figuresOf(`${label} floor`, floorRuns),
    ratio: median(contractRuns) / median(floorRuns),
    pairedRatios: figuresOf(`${label} paired ratios`, ratios),
  };
  console.log(`  ${label.padEnd(40)} contracts ${seconds(result.contract)}  floor ${seconds(result.floor)}  ratio ${result.ratio.toFixed(2)}× (paired ${result.pairedRatios.min.toFixed(2)}–${result.pairedRatios.max.toFixed(2)})`);
  return result;
}

async function contractsVersusFloor(runs: number, work: string) {
  const pactDir = path.join(work, 'pacts');
  const env = { ...process.env, PACT_DIR: pactDir };
  const { suites, skipped } = discoverSuites();
  for (const reason of skipped) console.log(`  skipped ${reason}`);
  const rows = [];
  const floors = [];
  for (const suite of suites) {
    const floor = await writeFloor(suite, work, env);
    floors.push({ suite: suite.name, ...floor });
    const options = jestOptions(suite);
    console.log(`${suite.name}: ${floor.files.map((file) => `${file.file} ${file.tests} tests, ${file.requests} HTTP requests`).join('; ')}; the floor makes as many${options.length > 0 ? `, run with ${options.join(' ')} too` : ''}`);
    for (const cache of ['warm', 'cold'] as const) {
      const contractCache = path.join(work, `cache-${suite.name}-${cache}-contract`);
      const floorCache = path.join(work, `cache-${suite.name}-${cache}-floor`);
      const prepare = cache === 'cold' ? () => [contractCache, floorCache].forEach((dir) => rmSync(dir, { recursive: true, force: true })) : () => undefined;
      const target = cache === 'warm' ? 1.25 : 1.5;
      // As users run it: npm run test:consumer-<x>, against the floor run through npm the same way.
      const viaNpm = await paired(
        `npm run ${suite.script} (${cache})`,
        runs,
        () => run('npm', ['run', '--silent', suite.script, '--', `--cacheDirectory=${contractCache}`], env),
        () => run('npm', ['run', '--silent', 'bench:floor', '--', ...options, `--cacheDirectory=${floorCache}`, '--roots', floor.dir], env),
        prepare,
      );
      // The same Jest commands without npm's launch.
      const direct = await paired(
        `jest ${suite.jestArgs.join(' ')} (${cache})`,
        runs,
        () => run(process.execPath, [JEST, `--cacheDirectory=${contractCache}`, ...suite.jestArgs], env),
        () => run(process.execPath, [JEST, '-c', FLOOR_CONFIG, ...options, `--cacheDirectory=${floorCache}`, '--roots', floor.dir], env),
        prepare,
      );
      for (const [how, row] of [['npm run', viaNpm], ['jest', direct]] as const) {
        rows.push({ suite: suite.name, cache, how, ...row, target, met: row.ratio <= target });
      }
    }
  }
  return { rows, floors, skipped };
}

/** The consumer name of the generated probes and scaling specs (never a real consumer's pact). */
const PROBE_CONSUMER = 'bench_probe';

/** A PactV4 for the probes, writing into `dir` with the file removed first, as our support module does. */
const probeContract = (pactDir: string) => `import { rmSync } from 'node:fs';
import { PactV4 } from '@pact-foundation/pact';
beforeAll(() => rmSync(${JSON.stringify(path.join(pactDir, `${PROBE_CONSUMER}-${PROVIDER}.json`))}, { force: true }));
const pact = new PactV4({ consumer: '${PROBE_CONSUMER}', provider: '${PROVIDER}', dir: ${JSON.stringify(pactDir)}, logLevel: 'warn' });`;

/**
 * Where a contract spec's time goes: probes that each add one thing to another, timed as whole Jest
 * processes (warm, the project's own config unless said otherwise). The difference is the cost of the thing.
 * Comparison rows (what we no longer pay) add to a named row and are not part of the chain.
 */
async function breakdown(runs: number, work: string) {
  const probes = path.join(work, 'probes');
  mkdirSync(probes, { recursive: true });
  const pactDir = path.join(work, 'probe-pacts');
  const bareConfig = path.join(probes, 'bare.config.json');
  writeFileSync(bareConfig, JSON.stringify({ rootDir: probes, testEnvironment: 'node', testMatch: ['<rootDir>/*.test.js'] }));
  writeFileSync(path.join(probes, 'trivial.test.js'), "it('runs', () => expect(1).toBe(1));\n");
  const client = `import { CountryDirectoryClient } from '${PROJECT_ROOT}/src/consumer-a/country-directory-client';`;
  const pactJs = `import { MatchersV3, PactV4 } from '@pact-foundation/pact';`;
  interface Probe {
    label: string;
    body: string;
    /** The row this one adds to; the row before when absent. */
    base?: number;
    env?: NodeJS.ProcessEnv;
  }
  const tsProbes: Probe[] = [
    { label: 'trivial TS test (jest.config.js, our environment, lazy ts-jest)', body: "it('runs', () => expect(1).toBe(1));" },
    { label: '(comparison) + TypeScript loaded, as ts-jest does on a hit', body: "it('runs', () => expect(1).toBe(1));", base: 1, env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require typescript`.trim() } },
    { label: '+ load pact-js (v4 and matchers; graphql, lodash, pino-pretty lazy)', body: `${pactJs}\nit('loads', () => expect([PactV4, MatchersV3]).toHaveLength(2));`, base: 1 },
    { label: '(comparison) + graphql, lodash, pino-pretty loaded, as pact-js would', body: `${pactJs}\nit('loads', () => expect([PactV4, MatchersV3, jest.requireActual('graphql/index.js'), jest.requireActual('lodash/lodash.js'), jest.requireActual('pino-pretty/index.js')]).toHaveLength(5));`, base: 3 },
    { label: '+ our client (axios; form-data mapped lazy)', body: `${pactJs}\n${client}\nit('loads', () => expect([PactV4, MatchersV3, CountryDirectoryClient]).toHaveLength(3));`, base: 3 },
    { label: '+ new PactV4 (native core)', body: `${probeContract(pactDir)}\n${client}\nit('creates', () => expect([pact, CountryDirectoryClient]).toHaveLength(2));` },
    {
      label: '+ one interaction (mock server, request, pact write)',
      body: `${probeContract(pactDir)}\n${client}\nit('interacts', async () => {\n  await pact.addInteraction().uponReceiving('a request for all countries').withRequest('GET', '/countries').willRespondWith(200, (response) => response.jsonBody([]))\n    .executeTest(async (server) => expect(await new CountryDirectoryClient(server.url).listCountries()).toEqual([]));\n});`,
    },
    // Last, so that it shifts no other row's index: it adds to '+ our client (axios)' (row 5).
    {
      label: '(comparison) + form-data loaded, as axios would',
      body: `${pactJs}\n${client}\nit('loads', () => expect([PactV4, MatchersV3, CountryDirectoryClient, jest.requireActual('form-data/lib/form_data.js')]).toHaveLength(4));`,
      base: 5,
    },
  ];
  tsProbes.forEach((probe, index) => writeFileSync(path.join(probes, `probe-${index}.test.ts`), `${probe.body}\n`));

  const cache = path.join(work, 'cache-probes');
  const all = [
    { label: 'bare Jest, trivial JS test', base: -1, once: jest(cache, process.env, '-c', bareConfig) },
    ...tsProbes.map((probe, index) => ({ label: probe.label, base: probe.base ?? index, once: jest(cache, probe.env ?? process.env, `probe-${index}\\.test`, '--roots', probes) })),
  ];
  // Round-robin (one warm-up round, then `runs` rounds): every probe sees the same drift in machine load,
  // which matters more here than anywhere, as the rows differ by tens of milliseconds.
  const times: number[][] = all.map(() => []);
  for (let round = 0; round <= runs; round += 1) {
    for (const [index, probe] of all.entries()) {
      const time = await probe.once();
      if (round > 0) times[index]?.push(time);
    }
  }
  const rows = all.map((probe, index) => ({ ...figuresOf(probe.label, times[index] ?? []), base: probe.base }));
  return rows.map((row) => {
    const addsSeconds = row.median - (rows[row.base]?.median ?? 0);
    console.log(`  ${row.label.padEnd(62)} ${seconds(row)}  adds ${(addsSeconds * 1000).toFixed(0)} ms`);
    return { ...row, addsSeconds };
  });
}

/** Three-letter codes AAA, AAB, … for generated interactions. */
const code = (index: number) => [676, 26, 1].map((size) => String.fromCharCode(65 + (Math.floor(index / size) % 26))).join('');

/**
 * A spec of `interactions` tests. With `separateFiles`, each test writes its own pact file (a fresh PactV4
 * per test), which takes pact-js's merge with the file on disk out of the measurement: for comparison only.
 */
function generatedSpec(interactions: number, pactDir: string, separateFiles = false): string {
  const contract = (index: number) => (separateFiles ? `contractFor(${index})` : 'aggregator');
  const tests = Array.from({ length: interactions }, (_, index) => `
it('gets country ${code(index)}', async () => {
  await ${contract(index)}
    .addInteraction()
    .given('a country exists', { code: '${code(index)}' })
    .uponReceiving('a request for country ${code(index)}')
    .withRequest('GET', '/countries/${code(index)}', (request) => request.headers(ACCEPTS_JSON))
    .willRespondWith(200, (response) => response.headers(JSON_RESPONSE_HEADERS).jsonBody(country('${code(index)}')))
    .executeTest(async (mockServer) => {
      expect(await new CountryDirectoryClient(mockServer.url).getCountry('${code(index)}')).not.toBeNull();
    });
});`);
  return `import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { CountryDirectoryClient } from '${PROJECT_ROOT}/src/consumer-a/country-directory-client';
import { rmSync } from 'node:fs';
import { ACCEPTS_JSON, JSON_RESPONSE_HEADERS, countryCode } from '${PROJECT_ROOT}/tests/contracts/matchers';

const { integer, string } = MatchersV3;
// As tests/contracts/contract-with-aggregator.ts does: one PactV4 per spec file, its old file removed first.
beforeAll(() => rmSync(${JSON.stringify(path.join(pactDir, `${PROBE_CONSUMER}-${PROVIDER}.json`))}, { force: true }));
const aggregator = new PactV4({ consumer: '${PROBE_CONSUMER}', provider: '${PROVIDER}', dir: ${JSON.stringify(pactDir)}, logLevel: 'warn' });
const contractFor = (index: number) =>
  new PactV4({ consumer: '${PROBE_CONSUMER}', provider: '${PROVIDER}', dir: ${JSON.stringify(pactDir)} + '/separate-' + index, logLevel: 'warn' });
// The code asked for: the client refuses a country other than the one it asked for.
const country = (code: string) => ({
  code: countryCode(code), name: string('India'), population: integer(1),
  latestTotalCases: integer(1), diffFromPrevDay: integer(0),
});
${tests.join('\n')}
`;
}

async function scaling(runs: number, work: string) {
  const sizes = [10, 100, 300];
  const specDir = path.join(work, 'scaling');
  const pactDir = path.join(work, 'scaling-pacts');
  mkdirSync(specDir, { recursive: true });
  const slopes = (figures: (Figures & { size: number })[]) =>
    figures.slice(1).map((figure, index) => {
      const previous = figures[index] as Figures & { size: number };
      return { from: previous.size, to: figure.size, ms: ((figure.median - previous.median) / (figure.size - previous.size)) * 1000 };
    });
  const variants = [];
  for (const separateFiles of [false, true]) {
    const name = separateFiles ? 'separate' : 'merged';
    const figures: (Figures & { size: number })[] = [];
    for (const size of sizes) {
      // Anchored: Jest takes the pattern as a regex, and "scaling-10" would also match "scaling-100".
      const file = `${name}-${size}.test.ts`;
      writeFileSync(path.join(specDir, file), generatedSpec(size, pactDir, separateFiles));
      const label = `${size} interactions, ${separateFiles ? 'a pact file per test (no merge)' : 'one pact file (as our specs)'}`;
      // The project's own Jest config, with the generated specs as its only root.
      figures.push({ size, ...(await measure(label, runs, jest(path.join(work, 'cache-scaling'), process.env, `/${file}$`, '--roots', specDir))) });
    }
    variants.push({ pactFile: name, figures, perInteraction: slopes(figures) });
  }
  return { variants };
}

/**
 * The whole `npm test`, as a user runs it, warm (Jest's cache kept): the suite's wall time against its target.
 * It writes its pacts to a folder of the bench's own, so pacts/ is left as it was.
 */
async function wholeSuite(runs: number, work: string) {
  const env = { ...process.env, PACT_DIR: path.join(work, 'suite-pacts') };
  const figures = await measure('npm test (the whole suite, warm)', runs, () => run('npm', ['test', '--silent'], env));
  return { ...figures, target: SUITE_TARGET_SECONDS, met: figures.median <= SUITE_TARGET_SECONDS };
}

runScript(async (argv) => {
  const flags = parseFlags(argv, { runs: { type: 'string' }, json: { type: 'string' }, only: { type: 'string' } }, USAGE);
  const runs = wholeNumberFlag(flags.runs, '--runs', 5, 3, 50);
  const only = flags.only;
  if (only !== undefined && !(PARTS as readonly string[]).includes(only)) throw new ConfigError(`--only must be ${PARTS.join(', ')}. Usage: ${USAGE}`);
  const wanted = (part: (typeof PARTS)[number]) => only === undefined || only === part;
  // Inside the project (git-ignored) so generated specs resolve its node_modules; removed at the end.
  const work = mkdtempSync(path.join(PROJECT_ROOT, 'tools', 'bench-floor', '.work-'));
  const machine = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: cpuModel(), runs };
  console.log(`Node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${runs} runs after a warm-up; medians (min–max)`);
  try {
    const results = {
      machine,
      contracts: wanted('contracts') ? await contractsVersusFloor(runs, work) : undefined,
      breakdown: wanted('breakdown') ? await breakdown(runs, work) : undefined,
      scaling: wanted('scaling') ? await scaling(runs, work) : undefined,
      suite: wanted('suite') ? await wholeSuite(runs, work) : undefined,
    };

    console.log('\nSummary');
    for (const row of results.contracts?.rows ?? []) {
      console.log(
        `  ${`${row.suite} ${row.cache}, ${row.how}`.padEnd(28)} ${row.contract.median.toFixed(3)} s / floor ${row.floor.median.toFixed(3)} s = ${row.ratio.toFixed(2)}× (paired ${row.pairedRatios.min.toFixed(2)}–${row.pairedRatios.max.toFixed(2)}; target ≤ ${row.target}×: ${row.met ? 'met' : 'MISSED'})`,
      );
    }
    for (const variant of results.scaling?.variants ?? []) {
      for (const step of variant.perInteraction) {
        console.log(`  ${`${step.from}→${step.to} interactions`.padEnd(28)} ${step.ms.toFixed(1)} ms per interaction, ${variant.pactFile === 'merged' ? 'one pact file (pact-js merges after each test)' : 'a pact file per test (no merge; comparison)'}`);
      }
    }
    if (results.suite) {
      console.log(`  ${'npm test (whole suite)'.padEnd(28)} ${seconds(results.suite)} (target ≤ ${results.suite.target} s: ${results.suite.met ? 'met' : 'MISSED'})`);
    }
    for (const row of results.breakdown ?? []) {
      console.log(`  ${row.label.padEnd(62)} ${(row.addsSeconds * 1000).toFixed(0).padStart(5)} ms`);
    }

    const jsonFile = path.resolve(flags.json ?? 'bench-results.json');
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nFigures written to ${jsonFile}`);
    return EXIT.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** The CPU as /proc/cpuinfo names it (Node's os.cpus() may shorten it), else as Node does. */
function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((entry) => entry.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}
