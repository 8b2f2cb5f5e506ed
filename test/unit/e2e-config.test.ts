/**
 * `npm run test:e2e` always includes the real-Metacontroller suites; only E2E_SKIP_METACONTROLLER=1
 * leaves them out, and says so (docs/e2e.md).
 */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../scripts/generate-crd.js';

function e2eConfig(env: Record<string, string>): { ignored: string[]; stderr: string } {
  const script = "import('./jest.e2e.config.js').then((m) => console.log(JSON.stringify(m.default.testPathIgnorePatterns)))";
  const { E2E_SKIP_METACONTROLLER: _inherited, ...base } = process.env;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...base, ...env } });
  return { ignored: JSON.parse(result.stdout) as string[], stderr: result.stderr };
}

test('the Metacontroller suites are part of the e2e run unless E2E_SKIP_METACONTROLLER=1', () => {
  expect(e2eConfig({})).toEqual({ ignored: ['/node_modules/', '<rootDir>/test/e2e/kind.test.ts'], stderr: '' });
  expect(e2eConfig({ E2E_SKIP_METACONTROLLER: '0' }).ignored).toEqual(['/node_modules/', '<rootDir>/test/e2e/kind.test.ts']);
  expect(e2eConfig({ E2E_SKIP_METACONTROLLER: '1' })).toEqual({
    ignored: [
      '/node_modules/',
      '<rootDir>/test/e2e/kind.test.ts',
      '<rootDir>/test/e2e/metacontroller.test.ts',
      '<rootDir>/test/e2e/metacontroller-webhooks.test.ts',
    ],
    stderr:
      'E2E_SKIP_METACONTROLLER=1: test/e2e/metacontroller.test.ts and test/e2e/metacontroller-webhooks.test.ts (the real Metacontroller) are left out of this run\n',
  });
});
