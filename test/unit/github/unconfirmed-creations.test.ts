import { GITHUB_PROCESSING_LIMIT_MS, UnconfirmedCreations } from '../../../src/github/unconfirmed-creations.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const unanswered = (error: unknown) => (error as Error).message === 'no answer';

describe('UnconfirmedCreations', () => {
  test('a confirmed creation stays pending until a read shows it, at most for its time', async () => {
    let now = 1_000_000;
    const registry = new UnconfirmedCreations(() => now);
    await expect(registry.track('k', Promise.resolve('created'), now + 1000, now + 30_000, unanswered)).resolves.toBe('created');
    await expect(registry.track('gone', Promise.resolve('created'), now + 1000, now + 30_000, unanswered)).resolves.toBe('created');
    expect([registry.state('k'), registry.remainingMs('k')]).toEqual(['confirmed', 30_000 + GITHUB_PROCESSING_LIMIT_MS]);
    registry.shown('k');
    expect([registry.pending('k'), registry.state('k')]).toEqual([false, undefined]);
    // One no read ever shows (deleted meanwhile) stops counting when its time is up.
    now += 30_000 + GITHUB_PROCESSING_LIMIT_MS - 1;
    expect(registry.state('gone')).toBe('confirmed');
    now += 1;
    expect(registry.pending('gone')).toBe(false);
  });

  test('past the deadline the caller gets a timeout while the creation stays pending until a read shows it', async () => {
    let now = 1_000_000;
    const registry = new UnconfirmedCreations(() => now);
    const creation = deferred<string>();
    const error = await registry.track('k', creation.promise, now, now + 30_000, unanswered).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(registry.pending('k')).toBe(true);
    expect(registry.remainingMs('k')).toBe(30_000 + GITHUB_PROCESSING_LIMIT_MS);
    now += 29_000;
    expect(registry.pending('k')).toBe(true);
    expect(registry.remainingMs('k')).toBe(1_000 + GITHUB_PROCESSING_LIMIT_MS);
    creation.resolve('created late');
    await creation.promise;
    await Promise.resolve();
    // Answered: confirmed, and still waited for until a read shows it.
    expect(registry.state('k')).toBe('confirmed');
    expect(registry.remainingMs('k')).toBe(1_000 + GITHUB_PROCESSING_LIMIT_MS);
    registry.shown('k');
    expect(registry.remainingMs('k')).toBeUndefined();
  });

  test('a creation that never settles stops counting once its request timeout and GitHub processing limit have passed', async () => {
    let now = 1_000_000;
    const registry = new UnconfirmedCreations(() => now);
    const error = await registry.track('k', new Promise<string>(() => {}), now, now + 30_000, unanswered).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    now += 30_000 + GITHUB_PROCESSING_LIMIT_MS - 1;
    expect(registry.pending('k')).toBe(true);
    now += 1;
    expect(registry.pending('k')).toBe(false);
  });

  test("an unanswered failure stays pending for GitHub's processing limit; an answered one does not", async () => {
    let now = 1_000_000;
    const registry = new UnconfirmedCreations(() => now);
    await expect(registry.track('lost', Promise.reject(new Error('no answer')), now + 1000, now + 30_000, unanswered)).rejects.toThrow('no answer');
    await expect(registry.track('refused', Promise.reject(new Error('422')), now + 1000, now + 30_000, unanswered)).rejects.toThrow('422');
    expect([registry.pending('lost'), registry.pending('refused')]).toEqual([true, false]);
    expect(registry.remainingMs('lost')).toBe(GITHUB_PROCESSING_LIMIT_MS);
    now += GITHUB_PROCESSING_LIMIT_MS - 1;
    expect(registry.pending('lost')).toBe(true);
    now += 1;
    expect(registry.pending('lost')).toBe(false);
  });
});
