import { Histogram, Registry } from 'prom-client';
import { TalliedHistogram } from '../../src/tallied-histogram.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
const OBSERVATIONS: [string, number][] = [
  ['sync', 0.0004],
  ['sync', 0.005],
  ['finalize', 0.7],
  ['sync', 0.3],
  ['sync', 12],
  ['finalize', 0.0051],
];

function pair(): { ours: TalliedHistogram<'hook'>; theirs: Histogram<'hook'>; ourRegistry: Registry; theirRegistry: Registry } {
  const ourRegistry = new Registry();
  const theirRegistry = new Registry();
  const config = { name: 'x_duration_seconds', help: 'Time.', labelNames: ['hook'] as const, buckets: BUCKETS };
  return {
    ours: new TalliedHistogram({ ...config, registers: [ourRegistry] }),
    theirs: new Histogram({ ...config, registers: [theirRegistry] }),
    ourRegistry,
    theirRegistry,
  };
}

describe('TalliedHistogram', () => {
  test("renders exactly the text prom-client's Histogram renders for the same observations", async () => {
    const { ours, theirs, ourRegistry, theirRegistry } = pair();
    for (const [hook, seconds] of OBSERVATIONS) {
      ours.tally(hook, { hook }, seconds);
      theirs.observe({ hook }, seconds);
    }
    const text = await ourRegistry.metrics();
    expect(text).toBe(await theirRegistry.metrics());
    expect(text).toContain('x_duration_seconds_bucket{le="0.005",hook="sync"} 2\n');
    expect(text).toContain('x_duration_seconds_bucket{le="+Inf",hook="sync"} 4\n');
    expect(text).toContain('x_duration_seconds_count{hook="finalize"} 2\n');
  });

  test("observe() with prom-client's signatures lands in the same tally; exemplar objects and non-numbers are refused", async () => {
    const { ours, theirs, ourRegistry, theirRegistry } = pair();
    for (const [hook, seconds] of OBSERVATIONS) {
      ours.observe({ hook }, seconds);
      theirs.observe({ hook }, seconds);
    }
    ours.observe(0.2);
    theirs.observe(0.2);
    expect(await ourRegistry.metrics()).toBe(await theirRegistry.metrics());
    expect(() => ours.observe({ hook: 'sync' }, Number.NaN)).toThrow('Value is not a valid number: NaN');
    expect(() => ours.observe({ labels: { hook: 'sync' }, value: 1 })).toThrow('Value is not a valid number: undefined');
  });

  test("reset() empties it, as the registry's resetMetrics() expects", async () => {
    const { ours, ourRegistry } = pair();
    ours.tally('sync', { hook: 'sync' }, 0.1);
    ourRegistry.resetMetrics();
    expect(await ourRegistry.metrics()).toBe('# HELP x_duration_seconds Time.\n# TYPE x_duration_seconds histogram\n');
  });
});
