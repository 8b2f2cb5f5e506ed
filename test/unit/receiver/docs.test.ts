/** docs/webhooks.md and docs/metrics.md describe exactly the receiver's settings and metrics. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';
import { ReceiverMetrics } from '../../../src/receiver/metrics.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** The rows of the first table after `## heading` (cells trimmed). */
function table(document: string, heading: string): string[][] {
  const start = document.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const next = document.indexOf('\n## ', start + 1);
  const lines = document.slice(start, next < 0 ? undefined : next).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
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

describe('receiver docs', () => {
  it('docs/metrics.md and docs/webhooks.md list exactly the receiver’s metrics, with their types', async () => {
    const families = (await new ReceiverMetrics().registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]).sort();
    for (const [file, heading] of [
      ['docs/metrics.md', 'Receiver metrics'],
      ['docs/webhooks.md', 'Signals'],
    ] as const) {
      const documented = table(read(file), heading)
        .map((r) => [backticked(r[0]!)[0]!, r[1]!])
        .sort();
      expect(documented).toEqual(families);
    }
  });

  it('docs/webhooks.md lists exactly the variables src/receiver/config.ts reads', () => {
    const source = read('src/receiver/config.ts');
    const variables = [...new Set([...source.matchAll(/\b(?:env\.|int\(')([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!))].sort();
    const documented = table(read('docs/webhooks.md'), 'Receiver settings')
      .flatMap((r) => backticked(r[0]!))
      .sort();
    expect(documented).toEqual(variables);
  });

  it('docs/webhooks.md answers table names every delivery outcome', () => {
    const source = read('src/receiver/metrics.ts');
    const outcomes = /export type DeliveryOutcome = ([^;]+);/
      .exec(source)![1]!
      .match(/'([a-z_]+)'/g)!
      .map((o) => o.slice(1, -1));
    const documented = table(read('docs/webhooks.md'), 'Answers').flatMap((r) => backticked(r[2]!));
    expect([...new Set(documented)].sort()).toEqual([...outcomes].sort());
  });
});
