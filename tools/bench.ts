/**
 * npm run bench [-- --runs 5] [--only suites|load|test]: the speed targets of docs/performance.md, which says what
 * each part measures. Prints medians (n runs after a warm-up), min–max, and the load average before and after.
 * Never part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { scripts } from '../package.json';
import { childEnvironment } from '../scripts/lib/child-process';
import { PROJECT_ROOT, discoverConsumers } from '../scripts/lib/project';
import { ConfigError, EXIT, parseFlags, runScript, wholeNumberFlag } from '../scripts/lib/script';

const USAGE = 'npm run bench [-- --runs <n>] [--only suites|load|test]';
const FLOOR = path.join(PROJECT_ROOT, 'tools', 'bench-floor');
const TARGETS = { warm: 1.4, cold: 1.8, testSeconds: 25, testCpuSeconds: 40 };
/** What pact-js requires when it loads (its root index, the V4 DSL, pact-core's logger, the verifier), and axios. */
const LOADED = [
  '@pact-foundation/pact',
  '@pact-foundation/pact-core',
  'ramda',
  'graphql',
  'graphql-tag',
  'lodash',
  'pino-pretty',
  'express',
  'http-proxy',
  'axios',
  'form-data',
];

type Timing = { wall: number; cpu: number };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const spread = (values: number[], digits = 2) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

/** CPU seconds of this process's finished children (Linux: /proc/self/stat cutime + cstime); NaN elsewhere. */
function childrenCpu(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Wall and CPU seconds (of the whole process tree) of one command, which must succeed. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timing> {
  const [started, cpu] = [performance.now(), childrenCpu()];
  const options = { cwd: PROJECT_ROOT, env: childEnvironment(process.env, env), maxBuffer: 1 << 26 };
  await promisify(execFile)(command, args, options).catch((error: { stdout: string; stderr: string }) => {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout}${error.stderr}`);
  });
  return { wall: (performance.now() - started) / 1000, cpu: childrenCpu() - cpu };
}

/** A warm-up run of `run`, then `runs` timed ones. */
async function measure<T>(runs: number, run: () => Promise<T>): Promise<T[]> {
  await run();
  const results: T[] = [];
  for (let index = 0; index < runs; index += 1) results.push(await run());
  return results;
}

/**
 * The floors of the suite `npm run <script>`: one untimed run counts its tests per file and its HTTP requests
 * (tools/bench-floor/count-requests.js). The bare floor's files make as many requests, spread evenly; the pact-js
 * floor's make as many tests, each one pact-js interaction.
 */
async function writeFloors(
  script: string,
  work: string,
  env: NodeJS.ProcessEnv,
): Promise<{ bare: string; pact: string }> {
  const dir = path.join(work, `floor-${script.replace(/\W/g, '-')}`);
  const [bare, pact] = [path.join(dir, 'bare'), path.join(dir, 'pact')];
  const [report, counter] = [path.join(dir, 'report.json'), path.join(dir, 'requests')];
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(FLOOR, 'count-requests.js')}`.trim();
  for (const folder of [bare, pact]) mkdirSync(folder, { recursive: true });
  await timed('npm', ['run', '--silent', script, '--', '--json', `--outputFile=${report}`], {
    ...env,
    NODE_OPTIONS: nodeOptions,
    BENCH_REQUEST_COUNT_FILE: counter,
  });
  const files = (
    JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string; assertionResults: unknown[] }[] }
  ).testResults;
  const tests = files.reduce((sum, file) => sum + file.assertionResults.length, 0);
  const requests = readFileSync(counter, 'utf8')
    .split('\n')
    .reduce((sum, line) => sum + Number(line || 0), 0);
  for (const {
    name,
    assertionResults: { length },
  } of files) {
    const file = path.basename(name, '.ts');
    const requestsFloor = `require(${JSON.stringify(path.join(FLOOR, 'requests.js'))}).floorSuite(${length}, ${Math.round((requests * length) / tests)});\n`;
    const pactFloor = `require(${JSON.stringify(path.join(FLOOR, 'pact.js'))}).pactFloorSuite(${length}, ${JSON.stringify(file.replace(/\W/g, '_'))});\n`;
    writeFileSync(path.join(bare, `${file}.floor.test.js`), requestsFloor);
    writeFileSync(path.join(pact, `${file}.floor.test.js`), pactFloor);
  }
  console.log(`${script}: ${files.length} file(s), ${tests} tests, ${requests} HTTP requests; the floors make as many`);
  return { bare, pact };
}

/**
 * `npm run <script>` against its two floors, the three alternating run by run. Each side keeps Jest's cache and
 * Node's compile cache in a folder of its own (--cacheDirectory, NODE_COMPILE_CACHE); warm keeps them, cold empties
 * them before every run.
 */
async function suites(runs: number, work: string) {
  for (const { folder } of discoverConsumers()) {
    const script = `test:${folder}`;
    const env = { PACT_DIR: path.join(work, 'pacts') };
    const floors = await writeFloors(script, work, env);
    // The script's own options (such as --runInBand) apply to the floors too: none may favour one side.
    const options =
      (scripts as Record<string, string | undefined>)[script]?.split(/\s+/).filter((arg) => arg.startsWith('-')) ?? [];
    for (const cache of ['warm', 'cold'] as const) {
      const side = (name: string, args: string[]) => {
        const tmp = path.join(work, `tmp-${folder}-${cache}-${name}`);
        if (cache === 'cold') rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp, { recursive: true });
        return timed('npm', ['run', '--silent', ...args, `--cacheDirectory=${path.join(tmp, 'jest')}`], {
          ...env,
          NODE_COMPILE_CACHE: path.join(tmp, 'node-compile-cache'),
        });
      };
      const floor = (dir: string) => ['bench:floor', '--', ...options, '--roots', dir];
      const runsOf = await measure(runs, async () => ({
        contract: await side('contract', [script, '--']),
        pact: await side('pact', floor(floors.pact)),
        bare: await side('bare', floor(floors.bare)),
      }));
      const of = (key: keyof (typeof runsOf)[number], what: keyof Timing) => runsOf.map((run) => run[key][what]);
      // Ratios are the medians of the paired ratios: each round saw the same machine load.
      const paired = (key: 'pact' | 'bare') => runsOf.map((run) => run.contract.wall / run[key].wall);
      const cpu = (key: 'pact' | 'bare') => median(of('contract', 'cpu')) / median(of(key, 'cpu'));
      console.log(
        `  npm run ${script} ${cache}: ${spread(of('contract', 'wall'))} s, CPU ${spread(of('contract', 'cpu'))} s\n` +
          `    pact-js floor ${spread(of('pact', 'wall'))} s: ours ${spread(paired('pact'))}×, CPU ${cpu('pact').toFixed(2)}× (what ts-jest and our environment add)\n` +
          `    bare floor ${spread(of('bare', 'wall'))} s: ours ${spread(paired('bare'))}×, CPU ${cpu('bare').toFixed(2)}×; ` +
          `target ≤ ${TARGETS[cache]}×: ${median(paired('bare')) <= TARGETS[cache] ? 'met' : 'MISSED'}`,
      );
    }
  }
}

/**
 * Milliseconds a test file spends in `require(name)`, each module alone in a fresh module registry of a warm
 * Jest process (bare config: Node's environment, no transform, no mapping). Every probe first loads `yaml`
 * so that no probe pays for warming up Jest's module loader.
 */
async function load(runs: number, work: string) {
  const [dir, out] = [path.join(work, 'load'), path.join(work, 'load.ndjson')];
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'jest.config.json'),
    JSON.stringify({ rootDir: dir, testEnvironment: 'node', testMatch: ['<rootDir>/*.test.js'] }),
  );
  LOADED.forEach((name, index) =>
    writeFileSync(
      path.join(dir, `probe-${index}.test.js`),
      `require('yaml');\nconst [wall, cpu] = [performance.now(), process.cpuUsage()];\nrequire(${JSON.stringify(name)});\n` +
        `const ms = performance.now() - wall, used = process.cpuUsage(cpu), cpuMs = (used.user + used.system) / 1000;\n` +
        `test('loads', () => require('node:fs').appendFileSync(${JSON.stringify(out)}, JSON.stringify({ name: ${JSON.stringify(name)}, ms, cpuMs }) + '\\n'));\n`,
    ),
  );
  const jest = [
    require.resolve('jest/bin/jest'),
    '--ci',
    '--silent',
    '--runInBand',
    '-c',
    path.join(dir, 'jest.config.json'),
  ];
  await measure(runs, () => timed(process.execPath, jest, { PACT_DO_NOT_TRACK: 'true' }));
  const samples = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; ms: number; cpuMs: number });
  for (const name of LOADED) {
    const mine = samples.filter((sample) => sample.name === name).slice(1);
    console.log(
      `  ${name.padEnd(28)} CPU ${spread(
        mine.map((sample) => sample.cpuMs),
        0,
      )} ms, wall ${spread(
        mine.map((sample) => sample.ms),
        0,
      )} ms`,
    );
  }
}

/**
 * The whole `npm test`, warm (its caches are node_modules/.cache's, as a developer's are), pacts written into the
 * bench's own folder: wall and CPU against the targets. Temporary files stay in the system's folder: tests make git
 * checkouts there that must not sit inside this one.
 */
async function wholeTest(runs: number, work: string) {
  const env = { PACT_DIR: path.join(work, 'test-pacts') };
  const times = await measure(runs, () => timed('npm', ['test', '--silent'], env));
  const [wall, cpu] = [times.map((time) => time.wall), times.map((time) => time.cpu)];
  const verdict = (values: number[], target: number) =>
    `target ≤ ${target} s: ${median(values) <= target ? 'met' : 'MISSED'}`;
  console.log(`  npm test warm, on ${os.cpus().length} cores:`);
  console.log(`    wall ${spread(wall, 1)} s; ${verdict(wall, TARGETS.testSeconds)}`);
  console.log(`    CPU ${spread(cpu, 1)} s; ${verdict(cpu, TARGETS.testCpuSeconds)}`);
}

const PARTS = { suites, load, test: wholeTest };

runScript(async (argv) => {
  const flags = parseFlags(argv, { runs: { type: 'string' }, only: { type: 'string' } }, USAGE);
  const runs = wholeNumberFlag(flags.runs, '--runs', 5, 1, 50);
  if (flags.only !== undefined && !(flags.only in PARTS))
    throw new ConfigError(`--only must be one of ${Object.keys(PARTS).join(', ')}. Usage: ${USAGE}`);
  // Inside the project (git-ignored), so that generated files resolve its node_modules.
  const work = mkdtempSync(path.join(FLOOR, '.work-'));
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}; medians of ${runs} runs after a warm-up (min–max)`,
  );
  try {
    for (const [name, part] of Object.entries(PARTS).filter(
      ([name]) => flags.only === undefined || flags.only === name,
    )) {
      console.log(`${name}:`);
      await part(runs, work);
    }
    console.log(`load average ${os.loadavg()[0]?.toFixed(1)} at the end`);
    return EXIT.ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
