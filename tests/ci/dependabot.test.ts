import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../scripts/lib/project';

// Dependabot keeps the lockfile and the pinned actions current, in grouped pull requests; it must never propose
// a TypeScript that ts-jest and typescript-eslint cannot load.

interface Update {
  'package-ecosystem': string;
  groups?: Record<string, unknown>;
  ignore?: { 'dependency-name': string; versions?: string[] }[];
}
const config = parse(readFileSync(path.join(PROJECT_ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
  version: number;
  updates: Update[];
};
const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

describe('the Dependabot config', () => {
  it('updates npm and the GitHub Actions, each in groups', () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((update) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
  });

  it('never proposes the TypeScript the range in package.json leaves out', () => {
    const npm = config.updates.find((update) => update['package-ecosystem'] === 'npm');
    const ignored = npm?.ignore?.find((rule) => rule['dependency-name'] === 'typescript')?.versions ?? [];
    // `~6.0.3` admits 6.0.x only: Dependabot must not widen it to what the tools cannot load.
    const [major, minor] = (/^~(\d+)\.(\d+)\./.exec(packageJson.devDependencies.typescript ?? '') ?? []).slice(1);

    expect(ignored).toEqual([`>=${major}.${Number(minor) + 1}`]);
  });
});
