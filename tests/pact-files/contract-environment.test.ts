import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { execFileSync } from 'node:child_process';
import ContractEnvironment from '../contracts/contract-environment';
import {
  checkProvenance,
  PROVENANCE_WRITER,
  provenanceFile,
  sha256Of,
  type ProvenanceRecord,
} from '../../scripts/lib/provenance';
import { ConfigError } from '../../scripts/lib/script';
import { declarePactFile } from '../contracts/declared-pact-files';

// The environment's duties, driven by Jest's own events as Jest would send them, on a real pact file.

// rootDir: the project whose commit the records name; a fresh git repository per test (below).
let projectRoot: string;
const configFor = (rootDir: string) =>
  ({
    globalConfig: {},
    projectConfig: { rootDir, testEnvironmentOptions: {}, globals: {} },
  }) as unknown as JestEnvironmentConfig;
const config = configFor(process.cwd());
const context: EnvironmentContext = { testPath: 'consumer-x.pact.test.ts', docblockPragmas: {}, console };

const testDone = (errors: unknown[]) => ({ name: 'test_done', test: { errors } }) as unknown as Circus.Event;
const testStart = { name: 'test_start', test: { errors: [] } } as unknown as Circus.Event;
const LOGGED_MISMATCH =
  '\u001b[31m[12:00:00.000] ERROR (4242): pact@17.1.4: Test failed for the following reasons:\n\n  Mock server failed with the following mismatches:\n\t0) The following request was incorrect:\u001b[39m';
const hookFailure = { name: 'hook_failure', error: 'beforeAll failed' } as unknown as Circus.Event;
const runFinish = { name: 'run_finish' } as unknown as Circus.Event;
const runStart = { name: 'run_start' } as unknown as Circus.Event;
// No automatic maintenance after a commit (one more git process each time): a repository lives for one test.
const gitIn = (root: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-C', root, '-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'maintenance.auto=false', ...args],
    { encoding: 'utf8' },
  );
const git = (...args: string[]) => gitIn(projectRoot, ...args);

let dir: string;
let pactFile: string;
let environment: ContractEnvironment;
let stderr: jest.SpyInstance;
/** The test file's console as Jest would install it, before the environment's setup. */
let testConsoleLog: jest.Mock;

/** The environment of one spec file's run, started (set up, its pact declared) as Jest would. */
async function startRun(): Promise<ContractEnvironment> {
  const run = new ContractEnvironment(configFor(projectRoot), context);
  testConsoleLog = jest.fn();
  run.global.console = { log: testConsoleLog } as unknown as Console;
  await run.setup();
  declarePactFile(pactFile, run.global);
  return run;
}

/** A git repository with one commit (client.ts), made once; each test gets a copy of it, a repository of its own. */
let committedProject: string;
beforeAll(() => {
  committedProject = mkdtempSync(path.join(os.tmpdir(), 'contract-environment-project-'));
  execFileSync('git', ['init', '-q', '-b', 'main', committedProject]);
  writeFileSync(path.join(committedProject, 'client.ts'), 'committed');
  gitIn(committedProject, 'add', 'client.ts');
  gitIn(committedProject, 'commit', '-q', '-m', 'x');
});
afterAll(() => rmSync(committedProject, { recursive: true, force: true }));

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'contract-environment-'));
  projectRoot = path.join(dir, 'project');
  cpSync(committedProject, projectRoot, { recursive: true });
  pactFile = path.join(dir, 'consumer_x-aggregator.json');
  writeFileSync(pactFile, '{}');
  environment = await startRun();
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stderr.mockRestore();
  rmSync(dir, { recursive: true, force: true });
});

describe('the contract test environment', () => {
  it('keeps the pact files of a spec file whose tests all passed', async () => {
    environment.handleTestEvent(testDone([]));
    environment.handleTestEvent(testDone([]));

    environment.handleTestEvent(runFinish);
    await environment.teardown();

    expect(existsSync(pactFile)).toBe(true);
  });

  it("removes the pact files of a spec file with a failed test, and says so last among the failed tests' errors", async () => {
    const firstFailure: unknown[] = [new Error('expected but not received')];
    const lastFailure: unknown[] = [new Error('request was incorrect')];
    environment.handleTestEvent(testDone([]));
    environment.handleTestEvent(testDone(firstFailure));
    environment.handleTestEvent(testDone(lastFailure));
    environment.handleTestEvent(testDone([]));

    environment.handleTestEvent(runFinish);

    // Removed before the file's results are printed, and said there: not on stderr above Jest's FAIL header.
    expect(existsSync(pactFile)).toBe(false);
    expect(firstFailure).toHaveLength(1);
    expect(lastFailure).toHaveLength(2);
    expect(lastFailure[1]).toMatchObject({
      stack: expect.stringMatching(/^consumer_x-aggregator\.json removed: a test of its spec file failed/) as string,
    });
    expect(stderr).not.toHaveBeenCalled();
    await environment.teardown();
    expect(existsSync(pactFile)).toBe(false);
  });

  it('removes the pact files of a spec file that never ran to the end (it failed to load), and says so', async () => {
    await environment.teardown();

    expect(existsSync(pactFile)).toBe(false);
    expect(stderr).toHaveBeenCalledWith(
      expect.stringContaining('consumer_x-aggregator.json removed: its spec file did not run to the end'),
    );
  });

  it('writes a provenance record beside each kept pact: the run, the git state at its start and end, the digest', async () => {
    environment.handleTestEvent(runStart);
    environment.handleTestEvent(testDone([]));
    environment.handleTestEvent(runFinish);

    await environment.teardown();

    const record = JSON.parse(readFileSync(provenanceFile(pactFile), 'utf8')) as ProvenanceRecord;
    const head = git('rev-parse', 'HEAD').trim();
    const clean = { commit: head, clean: true, changes: [] };
    expect(record).toMatchObject({
      writer: PROVENANCE_WRITER,
      pactFile: 'consumer_x-aggregator.json',
      start: clean,
      end: clean,
      sha256: sha256Of(readFileSync(pactFile)),
    });
    expect(record.run).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string, pid: process.pid });
  });

  it('records a dirty tree as not clean, naming the change without escaping it', async () => {
    writeFileSync(path.join(projectRoot, 'unterstützt.ts'), 'x');
    environment.handleTestEvent(runStart);
    environment.handleTestEvent(testDone([]));
    environment.handleTestEvent(runFinish);

    await environment.teardown();

    expect(JSON.parse(readFileSync(provenanceFile(pactFile), 'utf8'))).toMatchObject({
      end: { clean: false, changes: ['unterstützt.ts (untracked)'] },
    });
  });

  it('records a change to a committed file as not clean', async () => {
    writeFileSync(path.join(projectRoot, 'client.ts'), 'x');
    git('add', 'client.ts');
    git('commit', '-q', '-m', 'client');
    writeFileSync(path.join(projectRoot, 'client.ts'), 'y');
    environment.handleTestEvent(runStart);
    environment.handleTestEvent(testDone([]));
    environment.handleTestEvent(runFinish);

    await environment.teardown();

    expect(JSON.parse(readFileSync(provenanceFile(pactFile), 'utf8'))).toMatchObject({
      end: { clean: false, changes: ['client.ts'] },
    });
  });

  it('writes no record in a repository without a commit, and says so', async () => {
    environment.handleTestEvent(runStart);
    rmSync(path.join(projectRoot, '.git'), { recursive: true, force: true });
    execFileSync('git', ['init', '-q', projectRoot]);
    environment.handleTestEvent(testDone([]));

    environment.handleTestEvent(runFinish);
    await environment.teardown();

    expect(existsSync(pactFile)).toBe(true);
    expect(existsSync(provenanceFile(pactFile))).toBe(false);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('consumer_x-aggregator.json has no provenance record'));
  });

  describe('vouches only for a pact one clean run at one commit wrote (#18)', () => {
    const refusal = () => {
      try {
        checkProvenance(
          pactFile,
          readFileSync(pactFile),
          'pacts/consumer_x-aggregator.json',
          git('rev-parse', 'HEAD').trim(),
        );
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
      }
      return 'accepted';
    };

    it('a tree dirty when the run started, stashed before it ended, is refused: the git state is read at both ends', async () => {
      writeFileSync(path.join(projectRoot, 'client.ts'), 'an interaction deleted from the spec');
      const run = await startRun();
      run.handleTestEvent(runStart);
      run.handleTestEvent(testDone([]));
      run.handleTestEvent(runFinish);
      git('stash', '-q');

      await run.teardown();

      expect(refusal()).toMatch(
        /^pacts\/consumer_x-aggregator\.json was written by run [0-9a-f]{8}, whose working tree had uncommitted changes when it started \(client\.ts\): commit your changes/,
      );
    });

    it('a checkout of another commit during the run is refused', async () => {
      const feature = git('rev-parse', 'HEAD').trim();
      git('checkout', '-q', '-b', 'next');
      git('commit', '-q', '--allow-empty', '-m', 'next');
      const run = await startRun();
      run.handleTestEvent(runStart);
      run.handleTestEvent(testDone([]));
      run.handleTestEvent(runFinish);
      git('checkout', '-q', 'main');

      await run.teardown();

      expect(refusal()).toMatch(
        new RegExp(
          `was written while HEAD moved from [0-9a-f]{12} to ${feature.slice(0, 12)} \\(a checkout or commit during run`,
        ),
      );
    });

    it("two runs in one checkout: X finishing after Y started (and was interrupted) does not vouch for Y's partial pact", async () => {
      const x = environment;
      x.handleTestEvent(runStart);
      writeFileSync(pactFile, '{"interactions": ["one", "two"]}');
      x.handleTestEvent(testDone([]));
      x.handleTestEvent(runFinish);
      // Y starts and writes its first interaction, then Ctrl+C: it never tears down.
      const y = await startRun();
      y.handleTestEvent(runStart);
      writeFileSync(pactFile, '{"interactions": ["one"]}');

      await x.teardown();

      expect(existsSync(provenanceFile(pactFile))).toBe(false);
      expect(stderr).toHaveBeenCalledWith(
        expect.stringContaining(
          'consumer_x-aggregator.json not vouched for: another run of its spec started while this one ran',
        ),
      );
      expect(refusal()).toMatch(
        /has no provenance record .*no finished, all-green run of this repo's contract tests vouched for it/,
      );
    });

    it('the run it names is the one that wrote the file', async () => {
      environment.handleTestEvent(runStart);
      environment.handleTestEvent(testDone([]));
      environment.handleTestEvent(runFinish);
      await environment.teardown();
      const record = JSON.parse(readFileSync(provenanceFile(pactFile), 'utf8')) as ProvenanceRecord;

      expect(refusal()).toBe('accepted');
      expect(readFileSync(`${provenanceFile(pactFile)}.run`, 'utf8')).toBe(record.run.id);
    });
  });

  it('removes the pact and its record when a test failed, and a stale record when the run starts', async () => {
    mkdirSync(path.dirname(provenanceFile(pactFile)), { recursive: true });
    writeFileSync(provenanceFile(pactFile), '{"stale": true}');
    environment.handleTestEvent(runStart);
    expect(existsSync(provenanceFile(pactFile))).toBe(false);
    writeFileSync(provenanceFile(pactFile), '{"stale": true}');
    environment.handleTestEvent(testDone([new Error('failed')]));

    environment.handleTestEvent(runFinish);
    await environment.teardown();

    expect(existsSync(pactFile)).toBe(false);
    expect(existsSync(provenanceFile(pactFile))).toBe(false);
  });

  it('removes them when a test did not run (skipped, or filtered out with -t): the pact would be partial', async () => {
    environment.handleTestEvent(testDone([]));
    environment.handleTestEvent({ name: 'test_skip', test: { errors: [] } } as unknown as Circus.Event);

    environment.handleTestEvent(runFinish);
    await environment.teardown();

    expect(existsSync(pactFile)).toBe(false);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('did not run (skipped or filtered out)'));
  });

  it('removes them when a hook failed', async () => {
    environment.handleTestEvent(hookFailure);

    environment.handleTestEvent(runFinish);
    await environment.teardown();

    expect(existsSync(pactFile)).toBe(false);
  });

  it("puts the mismatch pact-js logged first among the failing test's own errors, instead of printing it", () => {
    const clientError = new Error('listCountries failed: the aggregator answered HTTP 500');
    const errors: unknown[] = [clientError];
    environment.handleTestEvent(testStart);

    environment.global.console.log(LOGGED_MISMATCH);
    environment.handleTestEvent({ name: 'test_done', test: { errors } } as unknown as Circus.Event);

    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({
      name: 'PactMismatch',
      message: expect.stringContaining('The following request was incorrect') as string,
    });
    expect(errors[1]).toBe(clientError);
    expect(testConsoleLog).not.toHaveBeenCalled();
  });

  it("gives pact-js's own mismatch error (the client did not throw) the same summary, without a stack into pact-js", () => {
    const report =
      'Test failed for the following reasons:\n\n  Mock server failed with the following mismatches:\n\n\t0) The following request was expected but not received: \n\t    Method: GET\n\t    Path: /countries';
    const errors: unknown[] = [[new Error(report), new Error('async')]];

    environment.handleTestEvent(testDone(errors));

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: 'PactMismatch',
      stack: expect.stringMatching(
        /^PactMismatch: .*\n {2}- expected GET \/countries, which the client never sent\n/,
      ) as string,
    });
  });

  it('keeps a mismatch report to the test it was logged in', () => {
    environment.handleTestEvent(testStart);
    environment.global.console.log(LOGGED_MISMATCH);
    environment.handleTestEvent(testDone([new Error('first test')]));
    const laterErrors: unknown[] = [new Error('another failure')];

    environment.handleTestEvent(testStart);
    environment.handleTestEvent({ name: 'test_done', test: { errors: laterErrors } } as unknown as Circus.Event);

    expect(laterErrors).toHaveLength(1);
  });

  it('prints every other console.log as it was', () => {
    environment.global.console.log('a line of the test', 42);

    expect(testConsoleLog).toHaveBeenCalledWith('a line of the test', 42);
  });

  it('turns the Pact core telemetry off unless the user chose otherwise', () => {
    const chosen = process.env.PACT_DO_NOT_TRACK;
    try {
      delete process.env.PACT_DO_NOT_TRACK;
      void new ContractEnvironment(config, context);
      expect(process.env.PACT_DO_NOT_TRACK).toBe('true');

      process.env.PACT_DO_NOT_TRACK = 'false';
      void new ContractEnvironment(config, context);
      expect(process.env.PACT_DO_NOT_TRACK).toBe('false');
    } finally {
      if (chosen === undefined) delete process.env.PACT_DO_NOT_TRACK;
      else process.env.PACT_DO_NOT_TRACK = chosen;
    }
  });
});
