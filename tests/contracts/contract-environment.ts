import { createRequire } from 'node:module';
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { consoleTakingMismatches, mismatchError, mismatchReportOf } from './mismatch-report';
import { declaredPactFiles } from './declared-pact-files';
import { ProvenanceRun } from '../../scripts/lib/provenance';

/** Read by pact-core-once.ts (the pact-js #1438 workaround), the module test files get for pact-core. */
const SHARED_PACT_CORE = Symbol.for('aggregator-contracts.pact-core');

/** Node's own require: its module cache is the process's, where each test file's `require` has its own. */
const requireInProcess = createRequire(__filename);

/** A line among a test's errors, printed as it is: no "Error:" prefix, no stack. */
function plainLine(text: string): Error {
  const line = new Error(text);
  line.stack = text;
  return line;
}

/** A test's error (circus keeps one as [error, asyncError] or alone) printed as its first line only. */
function asOneLine(entry: unknown): void {
  const error: unknown = Array.isArray(entry) ? (entry as unknown[])[0] : entry;
  if (typeof error !== 'object' || error === null) return;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (typeof message === 'string')
    (error as { stack?: string }).stack = `${typeof name === 'string' ? name : 'Error'}: ${message}`;
}

/**
 * The Jest environment of the contract specs (jest.config.ts, project "contracts"): Node's, plus five duties of the
 * contract specs that Jest's documented environment hooks can do without touching pact-js.
 *
 * 1. Telemetry off: the Pact core reports anonymous usage unless PACT_DO_NOT_TRACK=true. A user who sets
 *    the variable (to anything) keeps their choice.
 * 2. A failing contract test says why first: the mock server's mismatch report (which pact-js only logs when
 *    the client threw first) becomes that test's first error, with a summary that leads; the client's own
 *    error follows as its consequence, in one line (mismatch-report.ts).
 * 3. No partial contract: pact-js writes each passing interaction into the pact file as it goes, so a spec
 *    file with one failing test would leave a pact that lacks an interaction, which publish:pact would
 *    happily publish. When the spec file's tests are done, the pact files it declared are removed if anything
 *    failed, and the line saying so is the last error of the last failed test: it prints with the file's
 *    report, where a line on stderr would print above Jest's FAIL header.
 * 4. Provenance: the git state is read when the spec file's run starts and when it ends; when every test
 *    passed, each pact this run still owns gets a record (scripts/lib/provenance.ts), which the pipeline steps require.
 * 5. One pact-core per process: the test files' `@pact-foundation/pact-core` is the instance this process loaded,
 *    on first use, so the native library is initialised once (pact-core-once.ts says why).
 */
export default class ContractEnvironment extends TestEnvironment {
  private failures = 0;
  /** Tests that did not run: skipped, or filtered out (`-t`), so the pact lacks their interactions. */
  private notRun = 0;
  /** The mismatch report pact-js logged during the running test, if any. */
  private mismatchReport: string | undefined;
  /** Where the partial-pact removal line goes: its errors print with the spec file's report. */
  private lastFailedTest: Circus.TestEntry | undefined;
  /** Whether the spec file's tests ran to the end (run_finish); a file that failed to load never gets there. */
  private finished = false;
  private testConsole: Console | undefined;
  private readonly provenance: ProvenanceRun;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    process.env.PACT_DO_NOT_TRACK ??= 'true';
    super(config, context);
    Object.defineProperty(this.global, SHARED_PACT_CORE, {
      value: (): unknown => requireInProcess('@pact-foundation/pact-core'),
    });
    // Before the spec file loads: the run's start, as far as git is concerned.
    this.provenance = new ProvenanceRun((config.projectConfig as { rootDir?: string }).rootDir ?? process.cwd());
  }

  override async setup(): Promise<void> {
    await super.setup();
    // Jest has installed the test file's console by now; pact-js's logger writes through it.
    const testConsole = this.global.console;
    this.testConsole = testConsole;
    this.global.console = consoleTakingMismatches(testConsole, (report) => {
      this.mismatchReport = report;
    });
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_start') this.mismatchReport = undefined;
    if (event.name === 'test_done') this.leadWithMismatch(event.test);
    // The spec file has declared its pacts by now (at load): from here on they are this run's.
    if (event.name === 'run_start') this.provenance.claim(declaredPactFiles(this.global));
    if (event.name === 'test_done' && event.test.errors.length > 0) this.lastFailedTest = event.test;
    if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure')
      this.failures += 1;
    if (event.name === 'test_skip' || event.name === 'test_todo') this.notRun += 1;
    if (event.name === 'run_finish') {
      this.finished = true;
      this.removePartialPacts();
    }
  }

  /** The mock server's verdict first among the test's errors; the client's error, if any, after it. */
  private leadWithMismatch(test: Circus.TestEntry): void {
    // circus keeps an error as [error, asyncError] or alone.
    const first: unknown = test.errors[0];
    const thrownReport = mismatchReportOf(Array.isArray(first) ? (first as unknown[])[0] : first);
    if (thrownReport !== undefined) {
      // pact-js's own error (the test returned): the same report, with the summary and no stack into pact-js.
      test.errors[0] = mismatchError(thrownReport, false);
    } else if (this.mismatchReport !== undefined) {
      // pact-js logs the report only when it fails the test; should a test pass anyway, the report still shows.
      if (test.errors.length > 0) {
        // The client's error is the mock server's 500, a consequence: one line, not a stack into the client.
        asOneLine(test.errors[0]);
        test.errors.unshift(mismatchError(this.mismatchReport, true));
      } else this.testConsole?.log(this.mismatchReport);
    }
  }

  /** When anything failed or did not run, the declared pacts are not the whole contract: remove them, and say so. */
  private removePartialPacts(): void {
    if (this.failures === 0 && this.notRun === 0 && this.finished) return;
    const why = !this.finished
      ? 'its spec file did not run to the end'
      : this.failures > 0
        ? 'a test of its spec file failed'
        : `${this.notRun} test(s) of its spec file did not run (skipped or filtered out)`;
    for (const file of declaredPactFiles(this.global)) {
      ProvenanceRun.discard([file]);
      const line = `${path.basename(file)} removed: ${why}, so it would not be the whole contract.`;
      if (this.lastFailedTest !== undefined) this.lastFailedTest.errors.push(plainLine(line));
      else process.stderr.write(`${line}\n`);
    }
  }

  override async teardown(): Promise<void> {
    const files = declaredPactFiles(this.global);
    // A spec file that failed to load never reached run_finish, where partial pacts are removed.
    if (!this.finished) this.removePartialPacts();
    else if (this.failures === 0 && this.notRun === 0)
      for (const note of this.provenance.vouch(files)) process.stderr.write(`${note}\n`);
    await super.teardown();
  }
}
