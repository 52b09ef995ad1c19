import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { declaredPactFiles } from './pact-files-written';
import { gitState, removeProvenance, writeProvenance } from '../../scripts/lib/provenance';

/**
 * The Jest environment of every test file (jest.config testEnvironment): Node's, plus three duties of the
 * contract specs that Jest's documented environment hooks can do without touching pact-js.
 *
 * 1. Telemetry off: the Pact core reports anonymous usage unless PACT_DO_NOT_TRACK=true. A user who sets
 *    the variable (to anything) keeps their choice.
 * 2. No partial contract: pact-js writes each passing interaction into the pact file as it goes, so a spec
 *    file with one failing test would leave a pact that lacks an interaction, which publish:pact would
 *    happily publish. When the spec file is done, the pact files it declared are removed if anything failed.
 * 3. Provenance: when every test passed, each declared pact gets a record beside it (commit, clean tree,
 *    sha256; scripts/lib/provenance.ts), which the pipeline steps require before they send anything.
 */
export default class ContractEnvironment extends TestEnvironment {
  private failures = 0;
  private readonly projectRoot: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    process.env.PACT_DO_NOT_TRACK ??= 'true';
    super(config, context);
    this.projectRoot = (config.projectConfig as { rootDir?: string }).rootDir ?? process.cwd();
  }

  handleTestEvent(event: Circus.Event): void {
    // The spec file has declared its pacts by now (at load); a record left by an earlier run is stale.
    if (event.name === 'run_start') for (const file of declaredPactFiles(this.global)) removeProvenance(file);
    if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') this.failures += 1;
  }

  override async teardown(): Promise<void> {
    const files = declaredPactFiles(this.global);
    if (this.failures > 0) {
      for (const file of files) {
        rmSync(file, { force: true });
        removeProvenance(file);
        process.stderr.write(`${path.basename(file)} removed: a test of its spec file failed, so it would not be the whole contract.\n`);
      }
    } else if (files.length > 0) {
      // Asked once the tests are done: a change made while they ran makes the record say "not clean".
      const state = gitState(this.projectRoot);
      for (const file of files) {
        if (!existsSync(file)) removeProvenance(file);
        else if (state) writeProvenance(file, state);
        else process.stderr.write(`${path.basename(file)} has no provenance record: ${this.projectRoot} is not a git checkout, so the pipeline steps will refuse it.\n`);
      }
    }
    await super.teardown();
  }
}
