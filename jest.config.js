/**
 * ESM + TypeScript: ts-jest transpiles each file; `npm test` type-checks the whole tree first.
 * The end-to-end and reliability suites have their own commands (`npm run test:e2e`,
 * `npm run test:reliability`) and configs, because they start clusters or run for minutes.
 */
export const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/scripts/jest-plain-summary.cjs'],
};

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/reliability/'],
};
