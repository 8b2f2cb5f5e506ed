import { LedgerCache } from '../../src/github/ledger-cache.js';
import type { StatusWindows } from '../../src/github/status-windows.js';

const windows = (nodeId: string): StatusWindows =>
  new Map([[nodeId, { latest: `["DES_${nodeId}"]`, statuses: [{ state: 'success', description: 'Bake succeeded', environmentUrl: '', createdAt: '2026-11-01T00:00:00Z' }] }]]);

describe('LedgerCache status windows', () => {
  test('outlive the shared read: kept after its TTL and after invalidation, replaced by the next read', async () => {
    let now = 0;
    const cache = new LedgerCache(1000, () => now);
    expect(cache.statusWindows('k')).toBeUndefined();
    await cache.read('k', async () => ({ environments: ['staging'], deployments: [] }));
    cache.keepStatusWindows('k', windows('DE_1'));
    now = 5000;
    cache.invalidate('k');
    expect(cache.statusWindows('k')).toEqual(windows('DE_1'));
    cache.keepStatusWindows('k', windows('DE_2'));
    expect(cache.statusWindows('k')).toEqual(windows('DE_2'));
  });

  test('are kept for at most 1000 keys, the least recently kept going first', () => {
    const cache = new LedgerCache(0);
    for (let i = 0; i < 1000; i++) cache.keepStatusWindows(`k${i}`, windows(`DE_${i}`));
    cache.keepStatusWindows('k0', windows('DE_0'));
    cache.keepStatusWindows('k1000', windows('DE_1000'));
    expect(cache.statusWindows('k0')).toEqual(windows('DE_0'));
    expect(cache.statusWindows('k1')).toBeUndefined();
    expect(cache.statusWindows('k2')).toEqual(windows('DE_2'));
    expect(cache.statusWindows('k1000')).toEqual(windows('DE_1000'));
  });
});

describe('LedgerCache.whileCurrent', () => {
  const ledger = () => ({ environments: ['staging'], deployments: [] });

  test('holds while the read is the shared one and younger than the TTL', async () => {
    let now = 0;
    const cache = new LedgerCache(1000, () => now);
    const { ledger: read } = await cache.read('k', async () => ledger());
    const current = cache.whileCurrent('k', read)!;
    expect(current()).toBe(true);
    now = 999;
    expect(current()).toBe(true);
    now = 1000;
    expect(current()).toBe(false);
  });

  test('ends when a newer read of the key is stored or the key is invalidated, and is undefined for other ledgers', async () => {
    let now = 0;
    const cache = new LedgerCache(1000, () => now);
    const { ledger: first } = await cache.read('k', async () => ledger());
    const firstCurrent = cache.whileCurrent('k', first)!;
    expect(cache.whileCurrent('k', ledger())).toBeUndefined();
    expect(cache.whileCurrent('other', first)).toBeUndefined();
    now = 10;
    const { ledger: second } = await cache.read('k', async () => ledger(), { fresh: true });
    expect(firstCurrent()).toBe(false);
    const secondCurrent = cache.whileCurrent('k', second)!;
    expect(secondCurrent()).toBe(true);
    cache.invalidate('k');
    expect(secondCurrent()).toBe(false);
  });

  test('is undefined when nothing is shared (TTL 0)', async () => {
    const cache = new LedgerCache(0);
    const { ledger: read } = await cache.read('k', async () => ledger());
    expect(cache.whileCurrent('k', read)).toBeUndefined();
  });
});

describe('LedgerCache lifetimes paced by the GitHub budget', () => {
  const ledger = () => ({ environments: ['staging'], deployments: [] });
  // Spending 3× faster than the remaining points sustain (see budget.test.ts).
  const tooFast = (now: number) => ({ limit: 5000, remaining: 2500, resetAtMs: now + 45 * 60_000 });
  const healthy = (now: number) => ({ limit: 5000, remaining: 4990, resetAtMs: now + 30 * 60_000 });

  test('a read whose token spends too fast is shared for the TTL times the stretch, at most the maximum', async () => {
    let now = 1_000_000;
    const cache = new LedgerCache(1000, () => now, 2500);
    await cache.read('k', async () => {
      cache.noteBudget('k', tooFast(now));
      return ledger();
    });
    expect(cache.lifetimeMs('k')).toBe(2500);
    now += 2499;
    expect((await cache.read('k', async () => ledger())).fromCache).toBe(true);
    now += 1;
    expect((await cache.read('k', async () => ledger())).fromCache).toBe(false);
  });

  test('a healthy budget keeps the TTL; so does a maximum at or below the TTL; TTL 0 stays off', async () => {
    const now = 1_000_000;
    const healthyCache = new LedgerCache(1000, () => now, 300_000);
    healthyCache.noteBudget('k', healthy(now));
    expect(healthyCache.lifetimeMs('k')).toBe(1000);
    const unpaced = new LedgerCache(1000, () => now);
    unpaced.noteBudget('k', tooFast(now));
    expect(unpaced.lifetimeMs('k')).toBe(1000);
    const off = new LedgerCache(0, () => now, 300_000);
    off.noteBudget('k', tooFast(now));
    expect(off.lifetimeMs('k')).toBe(0);
    const big = new LedgerCache(1000, () => now, 300_000);
    big.noteBudget('k', tooFast(now));
    expect(big.lifetimeMs('k')).toBe(3000);
    big.noteBudget('k', { limit: 5000, remaining: 0, resetAtMs: now + 60_000 });
    expect(big.lifetimeMs('k')).toBe(300_000);
    expect(big.lifetimeMs('other')).toBe(1000);
  });
});
