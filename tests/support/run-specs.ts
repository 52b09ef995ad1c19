import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/contract-config';

const execFileAsync = promisify(execFile);

export { PROJECT_ROOT };

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

/**
 * Runs one spec written on the fly (e.g. one that must fail) in its own Jest process with the project's
 * config. It lives in a git-ignored folder outside tests/, so no other Jest run ever picks it up.
 */
export async function runGeneratedSpec(source: string, pactDir: string): Promise<{ code: number; output: string }> {
  const parent = path.join(PROJECT_ROOT, '.generated-specs');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'spec-'));
  writeFileSync(path.join(dir, 'generated.pact.test.ts'), source);
  try {
    await execFileAsync(process.execPath, [require.resolve('jest/bin/jest'), '--ci', 'generated\\.pact', '--roots', dir], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PACT_DIR: pactDir },
    });
    return { code: 0, output: '' };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
