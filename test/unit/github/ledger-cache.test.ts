import { HORIZON_MEMORY_MS, LedgerCache } from '../../../src/github/ledger-cache.js';
import type { StatusWindows } from '../../../src/github/status-windows.js';

const windows = (nodeId: string): StatusWindows =>
  new Map([
    [
      nodeId,
      { latest: `["DES_${nodeId}"]`, statuses: [{ state: 'success', description: 'Bake succeeded', environmentUrl: '', createdAt: '2026-11-01T00:00:00Z' }] },
    ],
  ]);

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

  test('deployment counts per environment outlive the shared read too, per key, replaced by the next read', async () => {
    let now = 0;
    const cache = new LedgerCache(1000, () => now);
    expect(cache.deploymentCounts('k')).toBeUndefined();
    await cache.read('k', async () => ({ environments: ['staging'], deployments: [] }));
    cache.keepDeploymentCounts('k', { staging: 100, production: 3 });
    now = 5000;
    cache.invalidate('k');
    expect(cache.deploymentCounts('k')).toEqual({ staging: 100, production: 3 });
    expect(cache.deploymentCounts('other')).toBeUndefined();
    cache.keepDeploymentCounts('k', { staging: 101 });
    expect(cache.deploymentCounts('k')).toEqual({ staging: 101 });
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

describe('LedgerCache lifetimes paced by the GitHub budget', () => {
  const ledger = () => ({ environments: ['staging'], deployments: [] });
  const MINUTE = 60_000;
  // 900 points for 60 minutes: 0.9 × 900 / 3,600 s = 0.225 points/s may be spent.
  const scarce = (now: number) => ({ limit: 5000, remaining: 900, resetAtMs: now + 60 * MINUTE });

  test('a read is kept long enough that re-reading every application on its token fits the remaining budget', async () => {
    let now = 1_000_000;
    const cache = new LedgerCache(1000, () => now, 300_000);
    cache.noteRead('other-app', 'token-a', 2, scarce(now));
    cache.noteRead('unrelated', 'token-b', 50, scarce(now));
    await cache.read('k', async () => {
      // This application (1 point) and other-app (2) on token-a: 3 points a round, one round per 3 / 0.225 s.
      cache.noteRead('k', 'token-a', 1, scarce(now));
      return ledger();
    });
    expect(cache.longestLifetimeMs()).toBeCloseTo(3 / ((0.9 * 900) / (60 * MINUTE)), 6);
    expect(cache.longestLifetimeMs()).toBeCloseTo(13_333.333, 2);
    now += 13_333;
    expect((await cache.read('k', async () => ledger())).fromCache).toBe(true);
    now += 1;
    expect((await cache.read('k', async () => ledger())).fromCache).toBe(false);
    expect(cache.longestLifetimeMs()).toBe(1000);
  });

  test('applications not read within the longest lifetime no longer count; a read without a budget report keeps the TTL', () => {
    let now = 1_000_000;
    const cache = new LedgerCache(1000, () => now, 300_000);
    cache.noteRead('old', 'token-a', 100, scarce(now));
    now += 300_001;
    cache.noteRead('k', 'token-a', 1, scarce(now));
    expect(cache.lifetimeMs('k')).toBe(4444.444444444444);
    cache.noteRead('k', 'token-a', 1);
    expect(cache.lifetimeMs('k')).toBe(1000);
  });

  test('a maximum at or below the TTL disables pacing; TTL 0 stays off', () => {
    const now = 1_000_000;
    const unpaced = new LedgerCache(1000, () => now);
    unpaced.noteRead('k', 'token-a', 1000, scarce(now));
    expect(unpaced.lifetimeMs('k')).toBe(1000);
    const off = new LedgerCache(0, () => now, 300_000);
    off.noteRead('k', 'token-a', 1000, scarce(now));
    expect(off.lifetimeMs('k')).toBe(0);
    expect(off.longestLifetimeMs()).toBe(0);
  });
});

describe('LedgerCache and GitHub event marks', () => {
  const ledger = (tag: string) => ({ environments: [tag], deployments: [] });
  const mark = { deliveryId: 'd1', atMs: 10_000 };

  test('a shared read that started before a mark first seen later is not used; the read made after it is', async () => {
    let now = 9_000;
    const cache = new LedgerCache(60_000, () => now);
    await cache.read('k', async () => ledger('before'));
    now = 12_000;
    const notBeforeMs = cache.readNotBeforeMs([mark]);
    expect(notBeforeMs).toBe(12_000);
    expect((await cache.read('k', async () => ledger('unused'))).ledger).toEqual(ledger('before'));
    const fresh = await cache.read('k', async () => ledger('after'), { notBeforeMs });
    expect(fresh).toEqual({ ledger: ledger('after'), fromCache: false, ageMs: 0 });
    now = 13_000;
    // Seen again later: still first seen at 12 s, so the read started then serves it.
    expect(await cache.read('k', async () => ledger('unused'), { notBeforeMs: cache.readNotBeforeMs([mark]) })).toEqual({
      ledger: ledger('after'),
      fromCache: true,
      ageMs: 1000,
    });
  });

  test('a read in flight that started before the bound is not joined; one that joined an older round counts from that round', async () => {
    let now = 20_000;
    const cache = new LedgerCache(60_000, () => now);
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    // This load joined a batched round that started at 15 s.
    const first = cache.read('k', async (startedAt) => {
      startedAt(15_000);
      await gate;
      return ledger('round');
    });
    now = 21_000;
    const second = cache.read('k', async () => ledger('own'), { notBeforeMs: 16_000 });
    expect((await second).ledger).toEqual(ledger('own'));
    finish();
    expect((await first).ledger).toEqual(ledger('round'));
  });
});

describe('LedgerCache read horizons', () => {
  const JAN = '2026-01-01T00:00:00.000Z';
  const MAR = '2026-03-01T00:00:00.000Z';

  test("a key's reads reach as far back as any of its syncs needed lately, whichever sync reads", () => {
    let now = 0;
    const cache = new LedgerCache(1000, () => now);
    // The gated downstream needs January, the upstream only March: the upstream's next read still reaches January.
    expect(cache.readSince('app', JAN)).toBe(JAN);
    expect(cache.readSince('app', MAR)).toBe(JAN);
    expect(cache.readSince('other', MAR)).toBe(MAR);
    // All of history (a candidate without `created`) is the widest need.
    expect(cache.readSince('app', undefined)).toBeUndefined();
    now = 60_000;
    expect(cache.readSince('app', MAR)).toBeUndefined();
  });

  test('a need no sync repeats is forgotten after HORIZON_MEMORY_MS', () => {
    let now = 0;
    const cache = new LedgerCache(1000, () => now);
    expect(cache.readSince('app', JAN)).toBe(JAN);
    now = HORIZON_MEMORY_MS;
    expect(cache.readSince('app', MAR)).toBe(JAN);
    now = HORIZON_MEMORY_MS + 1;
    expect(cache.readSince('app', MAR)).toBe(MAR);
  });
});
