// ESLint for the whole repository; run through `npm run lint` (scripts/lint.sh).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const node = {
  require: 'readonly',
  module: 'writable',
  process: 'readonly',
  __dirname: 'readonly',
  console: 'readonly',
};
const browser = {
  window: 'readonly',
  document: 'readonly',
  location: 'readonly',
  navigator: 'readonly',
  fetch: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  HTMLSelectElement: 'readonly',
  HTMLFormElement: 'readonly',
  URLSearchParams: 'readonly',
  FormData: 'readonly',
  DOMParser: 'readonly',
};

export default tseslint.config(
  { basePath: path.resolve(import.meta.dirname, '../..') },
  { ignores: ['**/node_modules/**', '**/dist/**', 'test-output/**', '.data/**', 'tools/lint/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Type-only imports are kept apart from values, so the compiled JavaScript loads nothing it does not use.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // The server logs through pino (redacted, structured); only the CLI, tests and benchmarks print.
      'no-console': 'error',
    },
  },
  {
    files: ['tests/**', 'packages/*/tests/**', 'bench/**', 'scripts/**', 'src/cli/**', 'packages/*/src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The pages' progressive enhancement, run by browsers.
    files: ['public/**/*.js'],
    languageOptions: { globals: browser },
  },
);
