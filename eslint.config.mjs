// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'broker/vendor/', 'broker/data/', 'pacts/', 'coverage/', 'logs/', 'bench/.work-*/', '.generated-specs/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An un-awaited executeTest lets the test finish before the mock server is checked: no pact gets written.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['eslint.config.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  // Jest loads these as they are (no transform): plain CommonJS, typed by JSDoc and checked by tsc (checkJs).
  { files: ['jest.config.js', 'jest.e2e.config.js', 'jest/**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // The bench's floor is deliberately plain CommonJS, run by bare Jest without a transform.
  {
    files: ['bench/floor/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
