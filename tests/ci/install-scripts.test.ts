import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../pact-files/run-specs';

// npm 11 lists at `npm ci` every dependency whose install script package.json's allowScripts does not cover, and a
// later npm will block them. Each is decided here, for a reason (docs/troubleshooting.md, npm ci): a dependency
// that gains an install script fails this test until someone decides, rather than warning every install.

const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));

const lock = readJson('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
const { allowScripts = {} } = readJson('package.json') as { allowScripts?: Record<string, boolean> };

/** `node_modules/a/node_modules/@b/c` → `@b/c`. */
const nameOf = (lockPath: string) => lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe("package.json's allowScripts", () => {
  it('decides every install script in the lockfile', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript === true)
      .map(([lockPath]) => nameOf(lockPath));

    expect(withScripts.length).toBeGreaterThan(0);
    expect(
      withScripts.filter(
        (name) => !(name in allowScripts) && !Object.keys(allowScripts).some((key) => key.startsWith(`${name}@`)),
      ),
    ).toEqual([]);
  });

  it('denies the Scarf install analytics pact-js brings (no telemetry unless the user opts in)', () => {
    expect(allowScripts['@scarf/scarf']).toBe(false);
  });
});
