// Tests are TypeScript compiled on the fly by SWC (type checking is `npm run typecheck`, part of `npm test`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The core package is read from its TypeScript sources (its "omov-source" export condition), not its build.
  testEnvironmentOptions: { customExportConditions: ['omov-source', 'node', 'node-addons'] },
  roots: ['<rootDir>/tests', '<rootDir>/packages/core/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  // The default time limit (60 s on a quiet machine) is scaled to this one in tests/support/time-limits.ts.
  setupFilesAfterEnv: ['<rootDir>/tests/support/time-limits.ts'],
  maxWorkers: 2,
};
