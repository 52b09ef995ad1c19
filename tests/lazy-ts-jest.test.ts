import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TransformOptions } from '@jest/transform';
import type { Config } from '@jest/types';
import { PROJECT_ROOT } from '../scripts/lib/project';
import { cacheKeyOf, createTransformer, parseJsonc } from '../jest/lazy-ts-jest';

const execFileAsync = promisify(execFile);

// jest/lazy-ts-jest.js keys files without loading ts-jest. A key that misses an input would serve stale
// output from Jest's cache, so each input that can change ts-jest's output must change the key.

const baseInputs = {
  fileContent: 'export const a = 1;\n',
  filePath: '/project/src/a.ts',
  configString: '{"rootDir":"/project"}',
  instrument: false,
  transformerConfig: {},
  tsconfigFiles: [{ path: '/project/tsconfig.json', text: '{"compilerOptions":{"isolatedModules":true}}' }],
  versions: { tsJest: '29.4.15', typescript: '5.9.3' },
  ownSource: 'transformer source',
};

describe('cacheKeyOf', () => {
  it('gives the same key for the same inputs', () => {
    expect(cacheKeyOf({ ...baseInputs })).toBe(cacheKeyOf({ ...baseInputs }));
  });

  it.each([
    ['the source file is edited', { fileContent: 'export const a = 2;\n' }],
    ['the file moves', { filePath: '/project/src/b.ts' }],
    ["Jest's config changes", { configString: '{"rootDir":"/project","testTimeout":1}' }],
    ['coverage instruments the file', { instrument: true }],
    ['the transformer options change', { transformerConfig: { diagnostics: false } }],
    ['the tsconfig is edited', { tsconfigFiles: [{ path: '/project/tsconfig.json', text: '{"compilerOptions":{"isolatedModules":true,"target":"ES2020"}}' }] }],
    ['the tsconfig extends another file', { tsconfigFiles: [...baseInputs.tsconfigFiles, { path: '/project/base.json', text: '{}' }] }],
    ['ts-jest is upgraded', { versions: { tsJest: '29.4.16', typescript: '5.9.3' } }],
    ['TypeScript is upgraded', { versions: { tsJest: '29.4.15', typescript: '5.9.4' } }],
    ['the transformer itself changes', { ownSource: 'transformer source, edited' }],
  ])('gives a fresh key when %s', (_change, override) => {
    expect(cacheKeyOf({ ...baseInputs, ...override })).not.toBe(cacheKeyOf(baseInputs));
  });

  it('cannot be fooled by moving text from one input to the next', () => {
    expect(cacheKeyOf({ ...baseInputs, filePath: '/a', fileContent: 'b' })).not.toBe(cacheKeyOf({ ...baseInputs, filePath: '/a\0b', fileContent: '' }));
  });
});

describe('parseJsonc', () => {
  it('reads a tsconfig with comments and trailing commas, keeping // and /* inside strings', () => {
    const text = '{\n  // a comment\n  "compilerOptions": { /* inline */ "outDir": "a//b/*c*/", "strict": true, },\n  "include": ["src",],\n}';
    expect(parseJsonc(text)).toEqual({ compilerOptions: { outDir: 'a//b/*c*/', strict: true }, include: ['src'] });
  });
});

/** A project in a temp folder: tsconfig.json extending base.json, and fixture ts-jest and TypeScript packages. */
function fixtureProject() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lazy-ts-jest-'));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write('base.json', '{ "compilerOptions": { "isolatedModules": true, "target": "ES2022" } }');
  write('tsconfig.json', '{\n  // comments are allowed here\n  "extends": "./base.json",\n  "compilerOptions": { "strict": true },\n}');
  write('node_modules/ts-jest/package.json', '{ "name": "ts-jest", "version": "29.4.15" }');
  write('node_modules/typescript/package.json', '{ "name": "typescript", "version": "5.9.3" }');
  write('src/a.ts', 'export const a = 1;\n');
  return { root, write, remove: () => rmSync(root, { recursive: true, force: true }) };
}

function optionsFor(rootDir: string, globals: Config.ProjectConfig['globals'] = {}): TransformOptions<Record<string, unknown>> {
  const config = { rootDir, globals } as Config.ProjectConfig;
  return { config, configString: JSON.stringify(config), instrument: false, transformerConfig: {} } as unknown as TransformOptions<Record<string, unknown>>;
}

/** What a fresh Jest process would compute: a new transformer, with a stand-in that fails if ts-jest is loaded. */
function keyIn(project: { root: string }, transformerConfig: Record<string, unknown> = {}, source = 'export const a = 1;\n'): string {
  const transformer = createTransformer(transformerConfig, {
    loadTsJest: () => {
      throw new Error('ts-jest was loaded to compute a key');
    },
  });
  return String(transformer.getCacheKey?.(source, path.join(project.root, 'src/a.ts'), optionsFor(project.root)));
}

describe('the lazy transformer on a project', () => {
  let project: ReturnType<typeof fixtureProject>;
  beforeEach(() => {
    project = fixtureProject();
  });
  afterEach(() => project.remove());

  it('keys a file without loading ts-jest, the same way twice', () => {
    expect(keyIn(project)).toBe(keyIn(project));
  });

  it('gives a fresh key when the source file is edited', () => {
    expect(keyIn(project, {}, 'export const a = 2;\n')).not.toBe(keyIn(project));
  });

  it('gives a fresh key when the tsconfig is edited', () => {
    const before = keyIn(project);
    project.write('tsconfig.json', '{ "extends": "./base.json", "compilerOptions": { "strict": false } }');
    expect(keyIn(project)).not.toBe(before);
  });

  it('gives a fresh key when a file the tsconfig extends is edited', () => {
    const before = keyIn(project);
    project.write('base.json', '{ "compilerOptions": { "isolatedModules": true, "target": "ES2020" } }');
    expect(keyIn(project)).not.toBe(before);
  });

  it('gives a fresh key when ts-jest is upgraded (its package.json)', () => {
    const before = keyIn(project);
    project.write('node_modules/ts-jest/package.json', '{ "name": "ts-jest", "version": "29.5.0" }');
    expect(keyIn(project)).not.toBe(before);
  });

  it('gives a fresh key when TypeScript is upgraded (its package.json)', () => {
    const before = keyIn(project);
    project.write('node_modules/typescript/package.json', '{ "name": "typescript", "version": "5.9.4" }');
    expect(keyIn(project)).not.toBe(before);
  });

  it('gives a fresh key when the versions it is given differ', () => {
    const key = (tsJest: string, typescript: string) =>
      createTransformer({}, { versions: () => ({ tsJest, typescript }) }).getCacheKey?.('x', path.join(project.root, 'src/a.ts'), optionsFor(project.root));
    expect(key('29.4.15', '5.9.3')).not.toBe(key('29.4.15', '6.0.0'));
    expect(key('29.4.15', '5.9.3')).not.toBe(key('30.0.0', '5.9.3'));
  });

  it('follows a tsconfig named by the transformer options', () => {
    project.write('other/tsconfig.json', '{ "compilerOptions": { "isolatedModules": true } }');
    const before = keyIn(project, { tsconfig: '<rootDir>/other/tsconfig.json' });
    project.write('other/tsconfig.json', '{ "compilerOptions": { "isolatedModules": true, "jsx": "react" } }');
    expect(keyIn(project, { tsconfig: '<rootDir>/other/tsconfig.json' })).not.toBe(before);
  });

  // Where the key could miss an input, ts-jest computes it: slower, but never stale.
  it.each([
    ['the tsconfig type-checks (no isolatedModules)', () => project.write('base.json', '{ "compilerOptions": { "target": "ES2022" } }'), {}],
    ['the tsconfig cannot be parsed', () => project.write('tsconfig.json', '{ "extends": '), {}],
    ['an extended file is missing', () => project.write('tsconfig.json', '{ "extends": "./missing.json" }'), {}],
    ['an option it cannot key is set (babelConfig)', () => undefined, { babelConfig: true }],
  ])('leaves the key to ts-jest when %s', (_case, change: () => void, transformerConfig: Record<string, unknown>) => {
    change();
    const delegated = createTransformer(transformerConfig, {
      loadTsJest: () => ({ process: () => ({ code: '' }), getCacheKey: () => 'ts-jest key' }),
    });
    expect(delegated.getCacheKey?.('x', path.join(project.root, 'src/a.ts'), optionsFor(project.root))).toBe('ts-jest key');
  });

  it("leaves the key to ts-jest when Jest's globals configure ts-jest", () => {
    const delegated = createTransformer({}, { loadTsJest: () => ({ process: () => ({ code: '' }), getCacheKey: () => 'ts-jest key' }) });
    const options = optionsFor(project.root, { 'ts-jest': { tsconfig: 'other.json' } });
    expect(delegated.getCacheKey?.('x', path.join(project.root, 'src/a.ts'), options)).toBe('ts-jest key');
  });
});

describe('the lazy transformer in a real process', () => {
  it('computes a key for this project without loading ts-jest or TypeScript', async () => {
    const script = `
      const { createTransformer } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'jest/lazy-ts-jest.js'))});
      const config = { rootDir: ${JSON.stringify(PROJECT_ROOT)}, globals: {} };
      const key = createTransformer({}).getCacheKey('export {};', ${JSON.stringify(path.join(PROJECT_ROOT, 'src/shared/provider.ts'))},
        { config, configString: JSON.stringify(config), instrument: false, transformerConfig: {} });
      const loaded = Object.keys(require.cache).filter((file) => /node_modules[\\\\/](typescript|ts-jest)[\\\\/]/.test(file));
      console.log(JSON.stringify({ key, loaded }));`;
    const { stdout } = await execFileAsync(process.execPath, ['-e', script], { cwd: PROJECT_ROOT });
    const result = JSON.parse(stdout) as { key: string; loaded: string[] };
    expect(result.key).toMatch(/^[0-9a-f]{64}$/);
    expect(result.loaded).toEqual([]);
  });

  it("transforms again exactly when a spec is edited (Jest's cache on disk)", async () => {
    const parent = path.join(PROJECT_ROOT, '.generated-specs');
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(path.join(parent, 'lazy-'));
    const cacheDirectory = path.join(dir, 'cache');
    const spec = path.join(dir, 'specs', 'cached.test.ts');
    mkdirSync(path.dirname(spec));
    const jest = () =>
      execFileAsync(process.execPath, [require.resolve('jest/bin/jest'), '--ci', `--cacheDirectory=${cacheDirectory}`, 'cached\\.test', '--roots', path.dirname(spec)], { cwd: PROJECT_ROOT });
    // Jest stores each transformed file as <its name without dots>_<cache key> (and a .map) in its cache folder.
    const cachedCopies = () =>
      readdirSync(cacheDirectory, { recursive: true, encoding: 'utf8' }).filter((file) => /^cachedtest_[0-9a-f]+$/.test(path.basename(file)));
    try {
      writeFileSync(spec, "const n: number = 1;\nit('runs', () => expect(n).toBe(1));\n");
      await jest();
      expect(cachedCopies()).toHaveLength(1);
      await jest();
      expect(cachedCopies()).toHaveLength(1);
      writeFileSync(spec, "const n: number = 2;\nit('runs', () => expect(n).toBe(2));\n");
      await jest();
      expect(cachedCopies()).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('type errors, which Jest no longer sees', () => {
  // Jest only transpiles, so `npm run typecheck` is what catches a type error: this runs its compiler with the
  // project's options (tsconfig.json, as `tsc --noEmit` reads it) on one bad TS file and one bad JSDoc-typed JS file.
  it('still fail the typecheck, in TS and in our JS files', async () => {
    const scripts = (await import('../package.json')).scripts;
    expect(scripts.typecheck).toBe('tsc --noEmit');
    const parent = path.join(PROJECT_ROOT, '.generated-specs');
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(path.join(parent, 'typecheck-'));
    try {
      writeFileSync(path.join(dir, 'bad.ts'), "export const count: number = 'three';\n");
      writeFileSync(path.join(dir, 'bad.js'), "// @ts-check\n/** @type {import('jest').Config} */\nconst config = { testTimeout: 'long' };\nmodule.exports = config;\n");
      // The project's compiler options, on these two files only: the whole project is `npm run typecheck`'s job.
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', files: ['bad.ts', 'bad.js'], include: [] }));
      const failure = await execFileAsync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', dir], { cwd: PROJECT_ROOT }).then(
        () => undefined,
        (error: { code?: number; stdout?: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stdout).toMatch(/bad\.ts\(1,14\): error TS2322/);
      expect(failure?.stdout).toMatch(/bad\.js\(3,\d+\): error TS2322/);
      expect(failure?.stdout?.match(/error TS/g)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
