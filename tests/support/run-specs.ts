import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export const CONTRACT_SPECS = {
  consumerA: 'tests/consumer-a.pact',
  consumerB: 'tests/consumer-b.pact',
} as const;

/** Runs contract specs in a separate Jest process that writes its pacts to `pactDir`. */
export async function runContractSpecs(pactDir: string, ...specs: string[]): Promise<void> {
  await execFileAsync(process.execPath, [require.resolve('jest/bin/jest'), '--ci', ...specs], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PACT_DIR: pactDir },
  });
}
