import { jest } from '@jest/globals';
import type { KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Informer } from '../../../src/kube/informer.js';

/** Stands in for client-node's ListWatch: each start() either reports an error (as a failed list/watch does) or succeeds. */
class ScriptedListWatch {
  starts = 0;
  stopped = false;
  private readonly callbacks = new Map<string, ((arg?: unknown) => void)[]>();
  constructor(private readonly outcomes: ('fail' | 'ok')[]) {}
  on(verb: string, cb: (arg?: unknown) => void): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), cb]);
  }
  off(verb: string, cb: (arg?: unknown) => void): void {
    this.callbacks.set(
      verb,
      (this.callbacks.get(verb) ?? []).filter((c) => c !== cb),
    );
  }
  emit(verb: string, arg?: unknown): void {
    for (const cb of this.callbacks.get(verb) ?? []) cb(arg);
  }
  async start(): Promise<void> {
    const outcome = this.outcomes[this.starts++] ?? 'ok';
    if (outcome === 'fail') this.emit('error', Object.assign(new Error('Forbidden'), { statusCode: 403 }));
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  list(): KubernetesObject[] {
    return [];
  }
  get(): undefined {
    return undefined;
  }
}

const silent = pino({ level: 'silent' });
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Informer', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('restarts a failing list/watch with growing delays and reports synced once it works', async () => {
    const watch = new ScriptedListWatch(['fail', 'fail', 'ok']);
    const informer = new Informer(watch as unknown as ListWatch<KubernetesObject>, 'things', silent, () => undefined);
    const synced = informer.start();
    await flush();
    expect([watch.starts, informer.synced]).toEqual([1, false]);
    jest.advanceTimersByTime(499);
    await flush();
    expect(watch.starts).toBe(1);
    jest.advanceTimersByTime(1);
    await flush();
    expect(watch.starts).toBe(2);
    jest.advanceTimersByTime(999);
    await flush();
    expect(watch.starts).toBe(2);
    jest.advanceTimersByTime(1);
    await flush();
    expect(watch.starts).toBe(3);
    await synced;
    expect(informer.synced).toBe(true);
  });

  it('reconnects when an established watch fails later, starting again from the shortest delay', async () => {
    const watch = new ScriptedListWatch(['ok', 'ok']);
    const informer = new Informer(watch as unknown as ListWatch<KubernetesObject>, 'things', silent, () => undefined);
    await informer.start();
    watch.emit('error', new Error('connection reset'));
    jest.advanceTimersByTime(500);
    await flush();
    expect(watch.starts).toBe(2);
  });

  it('passes events on and stays stopped once stopped', async () => {
    const watch = new ScriptedListWatch(['ok']);
    const seen: string[] = [];
    const informer = new Informer(watch as unknown as ListWatch<KubernetesObject>, 'things', silent, (event, o) => seen.push(`${event} ${o.metadata.name}`));
    await informer.start();
    watch.emit('add', { metadata: { name: 'a' } });
    watch.emit('delete', { metadata: { name: 'a' } });
    expect(seen).toEqual(['add a', 'delete a']);
    await informer.stop();
    watch.emit('error', new Error('aborted'));
    jest.advanceTimersByTime(60_000);
    await flush();
    expect([watch.starts, watch.stopped]).toEqual([1, true]);
  });
});
