/**
 * `npm run test:reliability`: the GitHub fault matrix, property tests over hook bodies,
 * secrets and hardening checks, and a short load run (LOAD_SECONDS sets its length).
 */
import { base } from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
  testTimeout: 120000,
  // The load run measures the service's memory and latency: keep other suites off the CPU meanwhile.
  maxWorkers: 1,
};
