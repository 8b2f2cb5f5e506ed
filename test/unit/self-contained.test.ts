/**
 * A plain clone passes `npm test`: nothing the tests, benchmark, tools or scripts run reads
 * a folder outside the repository (the project's reading folder beside the clone in particular). Their data lives
 * in test/fixtures/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SIBLING_FOLDER } from '../support/fixtures.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const ROOTS = ['test', 'bench', 'tools', 'scripts', 'src'];
const SKIP = new Set(['fixtures', 'node_modules']);
const FOLDER = SIBLING_FOLDER.slice(3);
const OUTSIDE = [
  new RegExp(`\\.\\./${FOLDER}\\b`),
  new RegExp(`/work/${FOLDER}\\b`),
  new RegExp(`${FOLDER.toUpperCase()}_DIR`),
  new RegExp(`'\\.\\.', '\\.\\.', '\\.\\.', '${FOLDER}'`),
];
/** CI's check that the folder is absent: the one allowed mention. */
const ABSENCE_CHECK = `! -e ${SIBLING_FOLDER}`;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : files(full);
    return /\.(ts|js|cjs|mjs|sh)$/.test(entry.name) || entry.name === 'run' ? [full] : [];
  });
}

test('no test, benchmark, tool or script refers to the folder beside the clone', () => {
  const self = path.join(REPO, 'test', 'unit', 'self-contained.test.ts');
  const offenders = ROOTS.flatMap((root) => files(path.join(REPO, root)))
    .filter((file) => file !== self)
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          OUTSIDE.some((pattern) => pattern.test(line.replaceAll(ABSENCE_CHECK, ''))) ? [`${path.relative(REPO, file)}:${i + 1}: ${line.trim()}`] : [],
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
  expect(data.length).toBe(15);
});
