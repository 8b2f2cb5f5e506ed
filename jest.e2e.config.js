/**
 * `npm run test:e2e`: real API servers (test/e2e/control-plane), one suite at a time because
 * each starts its own control planes. The kind suite runs only where a kind cluster exists
 * (`npm run test:e2e:kind`, jest.kind.config.js).
 */
import { base } from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/kind.test.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
