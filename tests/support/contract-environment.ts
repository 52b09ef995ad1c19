import { rmSync } from 'node:fs';
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { declaredPactFiles } from './pact-files-written';

/**
 * The Jest environment of every test file (jest.config testEnvironment): Node's, plus two duties of the
 * contract specs that Jest's documented environment hooks can do without touching pact-js.
 *
 * 1. Telemetry off: the Pact core reports anonymous usage unless PACT_DO_NOT_TRACK=true. A user who sets
 *    the variable (to anything) keeps their choice.
 * 2. No partial contract: pact-js writes each passing interaction into the pact file as it goes, so a spec
 *    file with one failing test would leave a pact that lacks an interaction, which publish:pact would
 *    happily publish. When the spec file is done, the pact files it declared are removed if anything failed.
 */
export default class ContractEnvironment extends TestEnvironment {
  private failures = 0;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    process.env.PACT_DO_NOT_TRACK ??= 'true';
    super(config, context);
  }

  handleTestEvent(event: Circus.Event): void {
    if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') this.failures += 1;
  }

  override async teardown(): Promise<void> {
    if (this.failures > 0) {
      for (const file of declaredPactFiles(this.global)) {
        rmSync(file, { force: true });
        process.stderr.write(`${path.basename(file)} removed: a test of its spec file failed, so it would not be the whole contract.\n`);
      }
    }
    await super.teardown();
  }
}
