/** `npm run test:e2e:kind`: the shared scenario against a kind cluster running Metacontroller. */
import { base } from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/e2e/kind.test.ts'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
