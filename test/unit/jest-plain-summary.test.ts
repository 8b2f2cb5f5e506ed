/**
 * The plain "jest: N passed, N failed" line (scripts/jest-plain-summary.cjs) and the counts
 * it hands .ci/run: a test file that fails to run is a failure, not silence.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const REPO = path.resolve(import.meta.dirname, '..', '..');
const REPORTER = path.join(REPO, 'scripts', 'jest-plain-summary.cjs');
const { summarize, plainLine } = require(REPORTER) as {
  summarize: (results: unknown) => { passed: number; failed: number; skipped: number; total: number };
  plainLine: (counts: { passed: number; failed: number; skipped: number }) => string;
};

const suite = (numFailingTests: number, extra: Record<string, unknown> = {}) => ({ numFailingTests, failureMessage: null, ...extra });

test('a suite that failed to load counts as one failed test, and in the total', () => {
  const counts = summarize({
    numPassedTests: 430,
    numFailedTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    numTotalTests: 430,
    testResults: [suite(0), suite(0, { testExecError: { message: 'Cannot find module' }, failureMessage: 'Cannot find module' }), suite(0)],
  });
  expect(counts).toEqual({ passed: 430, failed: 1, skipped: 0, total: 431 });
  expect(plainLine(counts)).toBe('jest: 430 passed, 1 failed');
});

test('a suite with failing tests counts its tests, not itself as well', () => {
  const counts = summarize({
    numPassedTests: 5,
    numFailedTests: 2,
    numPendingTests: 1,
    numTodoTests: 1,
    numTotalTests: 9,
    testResults: [suite(2, { failureMessage: 'two tests failed' }), suite(0)],
  });
  expect(counts).toEqual({ passed: 5, failed: 2, skipped: 2, total: 9 });
  expect(plainLine(counts)).toBe('jest: 5 passed, 2 failed, 2 skipped');
});

test('a real jest run with a file that throws at load prints "1 failed" and appends it for .ci/run', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'plain-summary-'));
  try {
    await writeFile(path.join(dir, 'passes.test.js'), "test('one', () => expect(1).toBe(1));\ntest('two', () => expect(2).toBe(2));\n");
    await writeFile(path.join(dir, 'broken.test.js'), "require('./does-not-exist');\ntest('never runs', () => {});\n");
    const summaryFile = path.join(dir, 'summary');
    const config = JSON.stringify({ rootDir: dir, testEnvironment: 'node', transform: {}, reporters: [REPORTER] });
    const run = promisify(execFile)(process.execPath, [path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', config, '--ci'], {
      cwd: dir,
      env: { ...process.env, JEST_SUMMARY_FILE: summaryFile },
    });
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code: number; stdout: string } | undefined;
    expect(failure?.code).toBe(1);
    expect(failure?.stdout.trim()).toBe('jest: 2 passed, 1 failed');
    expect(await readFile(summaryFile, 'utf8')).toBe('2 1 0 3\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
