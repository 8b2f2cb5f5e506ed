/**
 * A plain clone passes `npm test`: nothing the tests, benchmark, tools or scripts run reads
 * a folder outside the repository (the project's ../shared in particular). Their data lives
 * in test/fixtures/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const ROOTS = ['test', 'bench', 'tools', 'scripts', 'src'];
const SKIP = new Set(['fixtures', 'node_modules']);
const OUTSIDE = [/\.\.\/shared\b/, /\/work\/shared\b/, /SHARED_DIR/, /'\.\.', '\.\.', '\.\.', 'shared'/];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : files(full);
    return /\.(ts|js|cjs|mjs|sh)$/.test(entry.name) || entry.name === 'run' ? [full] : [];
  });
}

test('no test, benchmark, tool or script refers to ../shared', () => {
  const self = path.join(REPO, 'test', 'unit', 'self-contained.test.ts');
  const offenders = ROOTS.flatMap((root) => files(path.join(REPO, root)))
    .filter((file) => file !== self)
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        // `test ! -e ../shared` (CI's check that it is absent) is the one allowed mention.
        .flatMap((line, i) =>
          OUTSIDE.some((pattern) => pattern.test(line.replaceAll('! -e ../shared', ''))) ? [`${path.relative(REPO, file)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
  expect(offenders).toEqual([]);
});

test('every fixture file is listed in test/fixtures/README.md', () => {
  const dir = path.join(REPO, 'test', 'fixtures');
  const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
  const data = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'README.md')
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
  expect(data.filter((file) => !readme.includes(`\`${file}\``))).toEqual([]);
  expect(data.length).toBe(7);
});
