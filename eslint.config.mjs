// @ts-check
import tseslint from 'typescript-eslint';

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
);
