/**
 * npm run bench [-- --runs 5] [--json bench-results.json] [--only contracts|breakdown|scaling|publish]
 * Times whole processes (after a warm-up) and compares the contract suites with a bare-Jest floor
 * measured in the same run. Prints a table; writes the figures as JSON. Never part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROVIDER } from '../src/shared/provider';
import { ConfigError } from './lib/errors';
import { PROJECT_ROOT } from './lib/project';

/** The consumer name of the bench's generated specs: any name works, so none of ours is used. */
const BENCH_CONSUMER = 'bench_consumer';
import { startPactBroker } from '../tests/support/pact-broker-stand-in';
import { EXIT, parseFlags, runScript, wholeNumberFlag } from './lib/script';

const JEST = require.resolve('jest/bin/jest');
const USAGE = 'npm run bench [-- --runs <n>] [--json <file>] [--only contracts|breakdown|scaling|publish]';

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

/** One warm-up, then `runs` timed runs; `prepare` runs before each (untimed), e.g. to clear a cache. */
async function measure(label: string, runs: number, once: () => Promise<number>, prepare: () => void = () => undefined): Promise<Figures> {
  prepare();
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    prepare();
    times.push(await once());
  }
  const figures = { label, runs: times, median: median(times), min: Math.min(...times), max: Math.max(...times) };
  console.log(`  ${label.padEnd(48)} ${figures.median.toFixed(3)} s  (${figures.min.toFixed(3)}–${figures.max.toFixed(3)})`);
  return figures;
}

/** A Jest process over `specs`, with its cache in `cacheDir` (fresh for cold runs, kept for warm ones). */
const jest = (cacheDir: string, env: NodeJS.ProcessEnv, ...args: string[]) => () =>
  run(process.execPath, [JEST, '--ci', '--silent', `--cacheDirectory=${cacheDir}`, ...args], env);

async function contractsVersusFloor(runs: number, work: string) {
  const pactDir = path.join(work, 'pacts');
  const env = { ...process.env, PACT_DIR: pactDir };
  const floorConfig = ['-c', path.join(PROJECT_ROOT, 'bench', 'floor', 'jest.config.js')];
  const suites = [
    { name: 'consumer-a', contract: ['tests/consumer-a.pact'], floor: [...floorConfig, 'consumer-a.floor'] },
    { name: 'consumer-b', contract: ['tests/consumer-b.pact'], floor: [...floorConfig, 'consumer-b.floor'] },
    { name: 'both', contract: ['tests/consumer-a.pact', 'tests/consumer-b.pact'], floor: floorConfig },
  ];
  const rows = [];
  for (const cache of ['warm', 'cold'] as const) {
    console.log(`${cache === 'warm' ? 'Warm (Jest cache kept)' : 'Cold (Jest cache cleared before each run)'}:`);
    for (const suite of suites) {
      // Contract and floor alternate per suite, so both see the same machine load.
      const cacheDir = path.join(work, `cache-${cache}-${suite.name}`);
      const reset = cache === 'cold' ? () => rmSync(cacheDir, { recursive: true, force: true }) : undefined;
      const contract = await measure(`contracts ${suite.name} (${cache})`, runs, jest(`${cacheDir}-contract`, env, ...suite.contract), reset && (() => rmSync(`${cacheDir}-contract`, { recursive: true, force: true })));
      const floor = await measure(`floor ${suite.name} (${cache})`, runs, jest(`${cacheDir}-floor`, env, ...suite.floor), reset && (() => rmSync(`${cacheDir}-floor`, { recursive: true, force: true })));
      const target = cache === 'warm' ? 1.25 : 1.5;
      const ratio = contract.median / floor.median;
      rows.push({ suite: suite.name, cache, contract, floor, ratio, target, met: ratio <= target });
    }
  }
  const scripts = [];
  for (const script of ['test:consumer-a', 'test:consumer-b']) {
    scripts.push(await measure(`npm run ${script} (warm, with unit tests)`, runs, () => run('npm', ['run', '--silent', script], env)));
  }
  return { rows, scripts };
}

/**
 * Where a contract spec's time goes: probes that each add one thing to the one before, timed as whole
 * Jest processes (warm). The differences between rows are the cost of each thing.
 */
async function breakdown(runs: number, work: string) {
  const probes = path.join(work, 'probes');
  mkdirSync(probes, { recursive: true });
  const pactDir = path.join(work, 'probe-pacts');
  const bareConfig = path.join(probes, 'bare.config.json');
  writeFileSync(bareConfig, JSON.stringify({ rootDir: probes, testEnvironment: 'node', testMatch: ['<rootDir>/*.test.js'] }));
  writeFileSync(path.join(probes, 'trivial.test.js'), "it('runs', () => expect(1).toBe(1));\n");
  const support = path.join(PROJECT_ROOT, 'tests', 'support');
  const tsProbes: [string, string][] = [
    ['trivial TS test (jest.config.ts + ts-jest)', "it('runs', () => expect(1).toBe(1));"],
    ['+ load pact-js (v4 and matchers)', `import { MatchersV3, PactV4 } from '${PROJECT_ROOT}/tests/support/pact-js';\nit('loads', () => expect([PactV4, MatchersV3]).toHaveLength(2));`],
    ['+ our client (axios)', `import { PactV4 } from '${PROJECT_ROOT}/tests/support/pact-js';\nimport { CountryDirectoryClient } from '${PROJECT_ROOT}/src/consumer-a/country-directory-client';\nit('loads', () => expect([PactV4, CountryDirectoryClient]).toHaveLength(2));`],
    ['+ new PactV4 (native core)', `import { contractWithAggregator } from '${support}/pact';\nimport { CountryDirectoryClient } from '${PROJECT_ROOT}/src/consumer-a/country-directory-client';\nconst pact = contractWithAggregator('${BENCH_CONSUMER}', ${JSON.stringify(pactDir)});\nit('creates', () => expect([pact, CountryDirectoryClient]).toHaveLength(2));`],
    ['+ one interaction (mock server, request, pact write)', `import { contractWithAggregator } from '${support}/pact';\nimport { CountryDirectoryClient } from '${PROJECT_ROOT}/src/consumer-a/country-directory-client';\nconst pact = contractWithAggregator('${BENCH_CONSUMER}', ${JSON.stringify(pactDir)});\nit('interacts', async () => {\n  await pact.addInteraction().uponReceiving('a request for all countries').withRequest('GET', '/countries').willRespondWith(200, (response) => response.jsonBody([]))\n    .executeTest(async (server) => expect(await new CountryDirectoryClient(server.url).listCountries()).toEqual([]));\n});`],
  ];
  tsProbes.forEach(([, body], index) => writeFileSync(path.join(probes, `probe-${index}.test.ts`), `${body}\n`));

  const cache = path.join(work, 'cache-probes');
  const rows = [await measure('bare Jest, trivial JS test', runs, jest(cache, process.env, '-c', bareConfig))];
  for (const [index, [label]] of tsProbes.entries()) {
    rows.push(await measure(label, runs, jest(cache, process.env, `probe-${index}\\.test`, '--roots', probes)));
  }
  return rows.map((row, index) => ({ ...row, addsSeconds: index === 0 ? row.median : row.median - (rows[index - 1]?.median ?? 0) }));
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
    .willRespondWith(200, (response) => response.headers(JSON_RESPONSE_HEADERS).jsonBody(country))
    .executeTest(async (mockServer) => {
      expect(await new CountryDirectoryClient(mockServer.url).getCountry('${code(index)}')).not.toBeNull();
    });
});`);
  return `import { MatchersV3, PactV4 } from '${PROJECT_ROOT}/tests/support/pact-js';
import { CountryDirectoryClient } from '${PROJECT_ROOT}/src/consumer-a/country-directory-client';
import { contractWithAggregator } from '${PROJECT_ROOT}/tests/support/pact';
import { ACCEPTS_JSON, JSON_RESPONSE_HEADERS, countryCode } from '${PROJECT_ROOT}/tests/support/matchers';

const { integer, string } = MatchersV3;
const aggregator = contractWithAggregator('${BENCH_CONSUMER}', ${JSON.stringify(pactDir)});
const contractFor = (index: number) =>
  new PactV4({ consumer: '${BENCH_CONSUMER}', provider: '${PROVIDER}', dir: ${JSON.stringify(pactDir)} + '/separate-' + index, logLevel: 'warn' });
const country = {
  code: countryCode('IND'), name: string('India'), population: integer(1),
  latestTotalCases: integer(1), diffFromPrevDay: integer(0),
};
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

async function publish(runs: number, work: string) {
  const pactDir = path.join(work, 'publish-pacts');
  await run(process.execPath, [JEST, '--ci', '--silent', 'tests/consumer-a.pact', 'tests/consumer-b.pact'], { ...process.env, PACT_DIR: pactDir });
  const broker = await startPactBroker({ basic: { username: 'bench', password: 'bench-password' } });
  try {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PACT_DIR: pactDir,
      PACT_BROKER_URL: broker.url,
      BROKER_USERNAME: 'bench',
      BROKER_PASSWORD: 'bench-password',
      GIT_COMMIT: 'bench-version',
      GIT_BRANCH: 'bench',
      DOTENV_CONFIG_PATH: path.join(work, 'no.env'),
    };
    const figures = await measure('npm run publish:pact (2 pacts, local stand-in)', runs, () => run('npm', ['run', '--silent', 'publish:pact'], env));
    return { ...figures, target: 1, met: figures.median <= 1 };
  } finally {
    await broker.close();
  }
}

runScript(async (argv) => {
  const flags = parseFlags(argv, { runs: { type: 'string' }, json: { type: 'string' }, only: { type: 'string' } }, USAGE);
  const runs = wholeNumberFlag(flags.runs, '--runs', 5, 5, 50);
  const only = flags.only;
  if (only !== undefined && !['contracts', 'breakdown', 'scaling', 'publish'].includes(only)) throw new ConfigError(`--only must be contracts, breakdown, scaling or publish. Usage: ${USAGE}`);
  // Inside the project (git-ignored) so generated specs resolve its node_modules; removed at the end.
  const work = mkdtempSync(path.join(PROJECT_ROOT, 'bench', '.work-'));
  const machine = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', runs };
  console.log(`Node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${runs} runs after a warm-up; medians (min–max)`);
  try {
    const results = {
      machine,
      contracts: only === undefined || only === 'contracts' ? await contractsVersusFloor(runs, work) : undefined,
      breakdown: only === undefined || only === 'breakdown' ? await breakdown(runs, work) : undefined,
      scaling: only === undefined || only === 'scaling' ? await scaling(runs, work) : undefined,
      publish: only === undefined || only === 'publish' ? await publish(runs, work) : undefined,
    };

    console.log('\nSummary');
    for (const row of results.contracts?.rows ?? []) {
      console.log(`  ${`${row.suite} (${row.cache})`.padEnd(18)} contracts ${row.contract.median.toFixed(3)} s / floor ${row.floor.median.toFixed(3)} s = ${row.ratio.toFixed(2)}×  (target ≤ ${row.target}×: ${row.met ? 'met' : 'MISSED'})`);
    }
    for (const variant of results.scaling?.variants ?? []) {
      for (const step of variant.perInteraction) {
        const target = variant.pactFile === 'merged' && step.to <= 100 ? ` (target ≤ 5 ms: ${step.ms <= 5 ? 'met' : 'MISSED'})` : '';
        console.log(`  ${`${step.from}→${step.to} interactions`.padEnd(18)} ${step.ms.toFixed(1)} ms per interaction, ${variant.pactFile === 'merged' ? 'one pact file' : 'no merge (comparison)'}${target}`);
      }
    }
    for (const row of results.breakdown ?? []) {
      console.log(`  ${row.label.padEnd(52)} ${(row.addsSeconds * 1000).toFixed(0).padStart(5)} ms`);
    }
    if (results.publish) console.log(`  publish:pact       ${results.publish.median.toFixed(3)} s  (target ≤ 1 s: ${results.publish.met ? 'met' : 'MISSED'})`);

    const jsonFile = path.resolve(flags.json ?? 'bench-results.json');
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nFigures written to ${jsonFile}`);
    return EXIT.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
