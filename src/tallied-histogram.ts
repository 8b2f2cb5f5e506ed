/**
 * A prom-client Histogram whose observations are tallied in plain arrays and turned into
 * prom-client's exposition only at scrape time. prom-client's own observe() validates and
 * hashes the labels on every call, which costs more than a repeated sync's whole hook;
 * here one label set is resolved once per distinct key.
 */
import { Histogram } from 'prom-client';

interface Series<T extends string> {
  labels: Record<T, string>;
  /** Observations per bucket (not cumulative), by index into the upper bounds. */
  buckets: number[];
  sum: number;
  count: number;
}

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
}

export class TalliedHistogram<T extends string> extends Histogram<T> {
  private readonly series = new Map<string, Series<T>>();
  private readonly bounds: readonly number[];

  constructor(configuration: {
    name: string;
    help: string;
    labelNames: readonly T[];
    buckets: number[];
    registers: ConstructorParameters<typeof Histogram<T>>[0]['registers'];
  }) {
    super(configuration);
    this.bounds = [...configuration.buckets].sort((a, b) => a - b);
    // prom-client's constructor sets `observe` on the instance, which would bypass the tally.
    this.observe = (...args: unknown[]): void => this.observeTallied(...args);
  }

  /** Records one observation; `key` must identify `labels` (it saves building a key per call). */
  tally(key: string, labels: Record<T, string>, value: number): void {
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    const index = this.bounds.findIndex((bound) => value <= bound);
    if (index >= 0) series.buckets[index]!++;
    series.sum += value;
    series.count++;
  }

  /** prom-client's `observe(value)` and `observe(labels, value)`, routed to the tally (exemplars are not kept). */
  private observeTallied(...args: unknown[]): void {
    const [first, second] = args;
    const labels = (typeof first === 'number' ? {} : first) as Record<T, string>;
    const value = typeof first === 'number' ? first : second;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${String(value)}`);
    const key = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${String(labels[k as T])}`)
      .join('\u0000');
    this.tally(key, labels, value);
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class's fields exist.
    (this.series as Map<string, Series<T>> | undefined)?.clear();
  }

  /** What the registry renders; the same values, in the same order, as prom-client's Histogram. */
  async getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: ExportedValue[]; aggregator: 'sum' }> {
    const name = (this as unknown as { name: string }).name;
    const help = (this as unknown as { help: string }).help;
    const values: ExportedValue[] = [];
    for (const { labels, buckets, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += buckets[i]!;
        values.push({ labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${name}_bucket` });
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  }
}
