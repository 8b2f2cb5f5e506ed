import { jest } from '@jest/globals';
import { WorkQueue } from '../../../src/runner/work-queue.js';

describe('WorkQueue', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('hands out keys in order, each once however often it was added', async () => {
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1000 });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
  });

  it('never hands a key to two workers: re-added while in progress, it comes back after done()', async () => {
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1000 });
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    expect(queue.length).toBe(0);
    queue.done('a');
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('a');
  });

  it('wakes a waiting worker', async () => {
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1000 });
    const next = queue.get();
    queue.add('x');
    expect(await next).toBe('x');
  });

  it('delays keys; the earlier of two delays wins', () => {
    jest.useFakeTimers({ now: 0 });
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1000 }, () => Date.now());
    queue.addAfter('a', 5000);
    queue.addAfter('a', 1000);
    queue.addAfter('a', 3000);
    jest.advanceTimersByTime(999);
    expect(queue.length).toBe(0);
    jest.advanceTimersByTime(1);
    expect(queue.length).toBe(1);
  });

  it('backs off exponentially per key until forgotten', () => {
    jest.useFakeTimers({ now: 0 });
    const queue = new WorkQueue({ baseMs: 100, maxMs: 350 }, () => Date.now());
    expect([queue.addRateLimited('a'), queue.addRateLimited('a'), queue.addRateLimited('a'), queue.addRateLimited('a')]).toEqual([100, 200, 350, 350]);
    expect(queue.addRateLimited('b')).toBe(100);
    expect(queue.failureCount('a')).toBe(4);
    queue.forget('a');
    expect(queue.failureCount('a')).toBe(0);
    expect(queue.addRateLimited('a')).toBe(100);
  });

  it('after shutdown, waiting workers get null and nothing is queued', async () => {
    jest.useFakeTimers({ now: 0 });
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1000 }, () => Date.now());
    const waiting = queue.get();
    queue.addAfter('later', 1000);
    queue.shutdown();
    expect(await waiting).toBeNull();
    queue.add('a');
    jest.advanceTimersByTime(2000);
    expect(queue.length).toBe(0);
    expect(await queue.get()).toBeNull();
  });
});
