// @ts-check
/**
 * Jest transformer for our .ts files: ts-jest, loaded only when a file really has to be transpiled.
 *
 * Why: on a cache hit Jest calls only the transformer's `getCacheKey`, but ts-jest's own `getCacheKey`
 * builds its whole configuration first, which loads TypeScript (~0.2 s in every Jest process, even when
 * every file is cached). This module computes an equivalent key from files it reads itself and requires
 * ts-jest only in `process()`, i.e. on a miss.
 *
 * The key is only correct when the output of a file depends on nothing but the inputs below, which holds
 * for ts-jest's transpile-only mode (`isolatedModules: true` in the tsconfig): the file's content and path,
 * Jest's project config, the transformer options, the instrument flag, the tsconfig text and every file it
 * extends, the ts-jest and TypeScript versions, and this file. When any of that cannot be established
 * cheaply and surely (type-checking mode, babel, a custom compiler, a tsconfig we cannot read, options we
 * don't know), the key comes from ts-jest itself: slower, never wrong.
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');

/** ts-jest options whose whole effect is captured by hashing them with the tsconfig files. */
const OPTIONS_WE_CAN_KEY = new Set(['tsconfig', 'diagnostics']);

/**
 * @typedef {import('@jest/transform').TransformOptions<Record<string, unknown>>} Options
 * @typedef {import('@jest/transform').SyncTransformer<Record<string, unknown>>} Transformer
 * @typedef {{ tsJest: string, typescript: string }} Versions
 * @typedef {{ path: string, text: string }} ConfigFile
 */

/**
 * The cache key of one file, from everything that can change ts-jest's transpile-only output for it.
 * Pure: the tests give it other versions or tsconfig texts and expect another key.
 * @param {{ fileContent: string, filePath: string, configString: string, instrument: boolean,
 *   transformerConfig: unknown, tsconfigFiles: readonly ConfigFile[], versions: Versions, ownSource: string }} inputs
 * @returns {string}
 */
function cacheKeyOf(inputs) {
  const hash = createHash('sha256');
  const parts = [
    'lazy-ts-jest/1',
    inputs.ownSource,
    `ts-jest@${inputs.versions.tsJest}`,
    `typescript@${inputs.versions.typescript}`,
    JSON.stringify(inputs.transformerConfig ?? {}),
    inputs.configString,
    inputs.instrument ? 'instrument' : '',
    ...inputs.tsconfigFiles.flatMap((file) => [file.path, file.text]),
    inputs.filePath,
    inputs.fileContent,
  ];
  // A separator that cannot occur in any part, so that no two different inputs join to the same text.
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * JSON with comments and trailing commas, as tsconfig files are written, parsed without TypeScript.
 * @param {string} text
 * @returns {unknown}
 */
function parseJsonc(text) {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) throw new SyntaxError('unterminated comment');
      i = close + 1;
    } else {
      out += char;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/** @param {string} text @param {number} start index of the opening quote @returns {number} index after the closing quote */
function stringEnd(text, start) {
  for (let i = start + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** @param {string} file */
const isFile = (file) => existsSync(file) && statSync(file).isFile();

/**
 * Where an `extends` entry points, as TypeScript resolves it: a path (with or without `.json`), or a
 * package's file or its tsconfig.json. Undefined when we cannot tell.
 * @param {string} entry @param {string} fromDir @returns {string | undefined}
 */
function resolveExtends(entry, fromDir) {
  if (entry.startsWith('.') || path.isAbsolute(entry)) {
    const base = path.resolve(fromDir, entry);
    return [base, `${base}.json`].find(isFile);
  }
  for (const candidate of [entry, `${entry}.json`, `${entry}/tsconfig.json`]) {
    try {
      return require.resolve(candidate, { paths: [fromDir] });
    } catch {
      // Try the next form TypeScript accepts.
    }
  }
  return undefined;
}

/**
 * The tsconfig file and every file it extends, and whether `isolatedModules` ends up true.
 * Undefined when any of them cannot be read or parsed: then only ts-jest can say what it would do.
 * @param {string} file @returns {{ files: ConfigFile[], isolatedModules: boolean } | undefined}
 */
function readTsconfigChain(file) {
  /** @type {ConfigFile[]} */
  const files = [];
  /** @type {boolean | undefined} */
  let isolatedModules;
  /** @type {string[]} */
  let pending = [file];
  while (pending.length > 0) {
    const current = /** @type {string} */ (pending.shift());
    if (files.some((seen) => seen.path === current)) return undefined; // a cycle: TypeScript would refuse it too
    let parsed;
    const text = readFileSync(current, 'utf8');
    try {
      parsed = parseJsonc(text);
    } catch {
      return undefined;
    }
    if (!isRecord(parsed)) return undefined;
    files.push({ path: current, text });
    const options = parsed.compilerOptions;
    // The first file that sets it wins: each file overrides what it extends.
    if (isolatedModules === undefined && isRecord(options) && typeof options.isolatedModules === 'boolean') {
      isolatedModules = options.isolatedModules;
    }
    /** @type {unknown} */
    const extendsOption = parsed.extends;
    /** @type {unknown[]} */
    const entries = extendsOption === undefined ? [] : Array.isArray(extendsOption) ? extendsOption : [extendsOption];
    // In an extends array, later entries override earlier ones: visit them first.
    const resolved = [...entries].reverse().map((entry) => (typeof entry === 'string' ? resolveExtends(entry, path.dirname(current)) : undefined));
    if (resolved.some((entry) => entry === undefined)) return undefined;
    pending = [.../** @type {string[]} */ (resolved), ...pending];
  }
  return { files, isolatedModules: isolatedModules === true };
}

/**
 * The tsconfig ts-jest would use: the `tsconfig` option when it names a file, else tsconfig.json in the
 * project's rootDir or the nearest folder above it.
 * @param {Record<string, unknown>} options @param {string} rootDir @returns {string | undefined}
 */
function tsconfigPath(options, rootDir) {
  const option = options.tsconfig;
  if (typeof option === 'string') {
    const named = path.resolve(rootDir, option.replace('<rootDir>', rootDir));
    return isFile(named) ? named : path.join(named, 'tsconfig.json');
  }
  if (option !== undefined) return undefined;
  for (let dir = rootDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (isFile(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The installed ts-jest's and TypeScript's versions, read from their package.json files (TypeScript as
 * ts-jest would resolve it), without loading either.
 * @param {string} rootDir @returns {Versions}
 */
function installedVersions(rootDir) {
  const tsJestManifest = require.resolve('ts-jest/package.json', { paths: [rootDir] });
  const typescriptManifest = require.resolve('typescript/package.json', { paths: [path.dirname(tsJestManifest)] });
  /** @param {string} manifest @returns {string} */
  const version = (manifest) => {
    /** @type {unknown} */
    const parsed = JSON.parse(readFileSync(manifest, 'utf8'));
    return isRecord(parsed) ? String(parsed.version) : 'unknown';
  };
  return { tsJest: version(tsJestManifest), typescript: version(typescriptManifest) };
}

/**
 * What the key needs besides the file itself, or undefined when only ts-jest can compute a correct key.
 * @param {Record<string, unknown>} options the transformer options @param {Options['config']} config
 * @returns {{ tsconfigFiles: ConfigFile[] } | undefined}
 */
function keyableSetup(options, config) {
  if (Object.keys(options).some((name) => !OPTIONS_WE_CAN_KEY.has(name))) return undefined;
  // The deprecated globals['ts-jest'] can name another tsconfig or compiler.
  if (isRecord(config.globals) && config.globals['ts-jest'] !== undefined) return undefined;
  const file = tsconfigPath(options, config.rootDir);
  const chain = file === undefined ? undefined : readTsconfigChain(file);
  // Without isolatedModules ts-jest type-checks, and a file's output can depend on other files.
  if (chain === undefined || !chain.isolatedModules) return undefined;
  return { tsconfigFiles: chain.files };
}

/**
 * ts-jest's transformer, as Jest itself would create it from the module's default export.
 * @param {Record<string, unknown>} options @returns {Transformer}
 */
function loadTsJest(options) {
  // Node's on-disk compile cache (node:module, Node 22.1+): TypeScript's compiler is ~9 MB of JS, and on a
  // cold Jest cache it compiles in about half the time once Node has cached it. Content-checked by Node.
  require('node:module').enableCompileCache?.();
  const { default: tsJest } = /** @type {typeof import('ts-jest')} */ (require('ts-jest'));
  // ts-jest types its options more narrowly than Jest's transformer config; Jest passes it the same object.
  return /** @type {Transformer} */ (/** @type {unknown} */ (tsJest.createTransformer(/** @type {never} */ (options))));
}

/**
 * @param {Record<string, unknown>} [transformerConfig] the options given in Jest's `transform` entry
 * @param {{ versions?: (rootDir: string) => Versions, loadTsJest?: (options: Record<string, unknown>) => Transformer }} [seams]
 *   for the tests: other installed versions, or a stand-in for ts-jest
 * @returns {Transformer}
 */
function createTransformer(transformerConfig = {}, seams = {}) {
  const ownSource = readFileSync(__filename, 'utf8');
  const versionsOf = seams.versions ?? installedVersions;
  /** @type {Transformer | undefined} */
  let tsJest;
  const real = () => {
    tsJest ??= (seams.loadTsJest ?? loadTsJest)(transformerConfig);
    return tsJest;
  };
  /** Per Jest config (one per project), computed once per process. @type {Map<string, ReturnType<typeof keyableSetup> & {} | null>} */
  const setups = new Map();
  /** @type {Map<string, Versions>} */
  const versions = new Map();

  return {
    canInstrument: false,
    getCacheKey(fileContent, filePath, options) {
      let setup = setups.get(options.configString);
      if (setup === undefined) {
        setup = keyableSetup(transformerConfig, options.config) ?? null;
        setups.set(options.configString, setup);
      }
      if (setup === null) {
        const key = real().getCacheKey?.(fileContent, filePath, options);
        if (key === undefined) throw new Error('ts-jest has no getCacheKey: lazy-ts-jest cannot key its files.');
        return key;
      }
      const rootDir = options.config.rootDir;
      let installed = versions.get(rootDir);
      if (installed === undefined) {
        installed = versionsOf(rootDir);
        versions.set(rootDir, installed);
      }
      return cacheKeyOf({
        fileContent,
        filePath,
        configString: options.configString,
        instrument: options.instrument,
        transformerConfig,
        tsconfigFiles: setup.tsconfigFiles,
        versions: installed,
        ownSource,
      });
    },
    process(sourceText, sourcePath, options) {
      return real().process(sourceText, sourcePath, options);
    },
  };
}

module.exports = { createTransformer, cacheKeyOf, parseJsonc, readTsconfigChain };
