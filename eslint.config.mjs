// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Dependencies run one way: src/ <- the pipeline library (scripts/lib/) <- the CI verbs (scripts/*.ts); the developer
 * tools (tools/, broker/) sit beside the verbs; tests/ sits on top and may import anything.
 */
const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((regex) => ({ regex, message: why })) }],
  },
});
const outside = (...folders) => `(^|/)(${folders.join('|')})/`;

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'broker/vendor/',
      'broker/data/',
      'pacts/',
      'coverage/',
      'logs/',
      'tools/bench-floor/.work-*/',
      '.bench-work-*/',
      '.generated-specs/',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An un-awaited executeTest lets the test finish before the mock server is checked: no pact gets written.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['eslint.config.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  // The bench's floor is deliberately plain CommonJS, run by bare Jest without a transform.
  {
    files: ['tools/bench-floor/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  layer(['src/**/*.ts'], [outside('scripts', 'tests', 'tools', 'broker')], 'src/ imports nothing outside src/.'),
  layer(
    ['scripts/lib/**/*.ts'],
    [outside('tests', 'tools', 'broker'), '^\\.\\./[\\w-]+$'],
    'The pipeline library imports only src/ and packages, never a verb, a tool or a test.',
  ),
  layer(
    ['scripts/*.ts'],
    [outside('tests', 'tools', 'broker'), '^\\./[\\w-]+$'],
    'A CI verb imports the pipeline library and src/, never another verb, a tool or a test.',
  ),
  layer(
    ['tools/*.ts'],
    [outside('tests', 'broker'), '^\\./'],
    "A developer tool imports the pipeline library and src/, never another tool's modules or a test.",
  ),
  layer(
    ['broker/**/*.ts'],
    [outside('tests', 'tools')],
    "The broker tool imports the pipeline library, never another tool's modules or a test.",
  ),
);
