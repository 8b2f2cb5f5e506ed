/**
 * The README's operator tables stay true to the code: configuration, condition reasons,
 * error codes and metrics. A new reason, code, variable or metric fails here until it is
 * documented.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/generate-crd.js';
import { loadConfig } from '../../src/config.js';
import { Metrics } from '../../src/metrics.js';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

const METRICS_DOC = readFileSync(path.join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');

/** Rows of the first table under `## <heading>` whose header row starts with `| <firstColumn> |`. */
function table(heading: string, firstColumn: string, document = README): string[][] {
  const start = document.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const next = document.indexOf('\n## ', start + 1);
  const lines = document.slice(start, next < 0 ? undefined : next).split('\n');
  const header = lines.findIndex((l) => l.startsWith(`| ${firstColumn} |`));
  if (header < 0) throw new Error(`## ${heading} has no table starting with ${firstColumn}`);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'emulator' || name === 'runner' || name === 'generated' ? [] : sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}
const SOURCES = sourceFiles(path.join(REPO_ROOT, 'src')).map((f) => readFileSync(f, 'utf8'));
const found = (pattern: RegExp) => [...new Set(SOURCES.flatMap((text) => [...text.matchAll(pattern)].map((m) => m[1]!)))].sort();

describe('README ## Configuration', () => {
  const rows = table('Configuration', 'variable');
  const documented = rows.map((r) => backticked(r[0]!)[0]!);

  it('lists exactly the variables src/config.ts reads', () => {
    const configSource = readFileSync(path.join(REPO_ROOT, 'src', 'config.ts'), 'utf8');
    const read = [...new Set([...configSource.matchAll(/env(?:\.([A-Z_]+)|, '([A-Z_]+)')/g)].map((m) => m[1] ?? m[2]!))].sort();
    expect([...documented].sort()).toEqual(read);
  });

  it('documents each default exactly: setting it changes nothing', () => {
    const defaults = loadConfig({});
    for (const row of rows) {
      const name = backticked(row[0]!)[0]!;
      const value = row[1] === 'empty' ? '' : backticked(row[1]!)[0];
      expect([name, loadConfig({ [name]: value })]).toEqual([name, defaults]);
    }
  });
});

describe('README ## Conditions', () => {
  it('has a row for every condition reason in src/', () => {
    const reasons = found(/(?:reason: |fail\()'([A-Z][A-Za-z]+)'/g);
    const documented = new Set(table('Conditions', 'reason').flatMap((r) => backticked(r[0]!)));
    expect(reasons.length).toBeGreaterThan(20);
    expect(reasons.filter((r) => !documented.has(r))).toEqual([]);
  });
});

describe('README ## Debugging with curl', () => {
  it('lists every error code the service answers with, and no other', () => {
    const codes = found(/(?:errorBody\(|HookRequestError\(\d+, )'([A-Za-z]+)'/g);
    const documented = table('Debugging with curl', 'HTTP')
      .map((r) => backticked(r[1]!)[0]!)
      .sort();
    expect(documented).toEqual(codes);
  });
});

describe('docs/metrics.md ## Metrics', () => {
  it('documents exactly the metrics of src/metrics.ts, with their types', async () => {
    const families = (await new Metrics({ processMetrics: false }).registry.getMetricsAsJSON()).map((m) => [m.name, m.type]).sort();
    const documented = table('Metrics', 'metric', METRICS_DOC)
      .map((r) => [backticked(r[0]!)[0]!, r[1]!])
      .sort();
    expect(documented).toEqual(families);
  });
});

describe('links in the README, CONTRIBUTING.md and docs/', () => {
  it('every relative link points at a file in the repository', () => {
    const documents = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(REPO_ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));
    const broken = documents.flatMap((doc) => {
      const text = readFileSync(path.join(REPO_ROOT, doc), 'utf8');
      const links = [...text.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
      return links.filter((l) => !existsSync(path.join(REPO_ROOT, path.dirname(doc), l))).map((l) => `${doc}: ${l}`);
    });
    expect(broken).toEqual([]);
  });
});

describe('README links', () => {
  it('every relative link points at a file in the repository', () => {
    const links = [...README.matchAll(/\]\(((?!https?:|#)[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(links).toEqual(expect.arrayContaining(['examples/secret-github-app.yaml', 'docs/migration.md']));
    expect(links.filter((l) => !existsSync(path.join(REPO_ROOT, l)))).toEqual([]);
  });
});
