import type { GitHubSession } from '../../../src/github/client.js';
import { FleetReads, type FleetTarget, type RoundReport } from '../../../src/github/fleet-reads.js';
import { LedgerCache } from '../../../src/github/ledger-cache.js';

/** A session whose batched reads succeed: each round is reported, and each application's ledger is empty. */
const session = {
  owner: 'org',
  repo: 'repo',
  readLedgers: () => Promise.resolve({ requests: 1, points: 1, failures: new Map() }),
  readLedger: () => Promise.reject(new Error('not read alone in these tests')),
} as unknown as GitHubSession;

function target(tokenKey: string, app: string): FleetTarget {
  return { key: `${tokenKey}/${app}`, tokenKey, session, repositoryKey: `org/${app}`, specName: app, knownEnvironments: ['staging'] };
}

let now = 0;

/** Shared reads live 5 s on the clock `now`; a round refreshes tracked applications whose read is 2.5 s old. */
function fleet(options: { maxTracked?: number; onRound?: (round: RoundReport) => void } = {}): FleetReads {
  now = 0;
  return new FleetReads(new LedgerCache(5000, () => now), { windowMs: 1, ttlMs: 5000, maxTtlMs: 5000, now: () => now, ...options });
}

const deadline = () => Date.now() + 10_000;

describe('FleetReads tracked applications', () => {
  test('at most maxTracked per token, the least recently synced going first', async () => {
    const rounds: number[] = [];
    const reads = fleet({ maxTracked: 3, onRound: (round) => rounds.push(round.applications) });
    await Promise.allSettled(['a1', 'a2', 'a3', 'a4', 'a5'].map((app) => reads.read(target('t', app), deadline())));
    // Tracked now: a3, a4, a5; syncing a1 again evicts a3, and a4 and a5 are refreshed along (their reads are past half their lifetime).
    now = 3000;
    await Promise.allSettled([reads.read(target('t', 'a1'), deadline())]);
    expect(rounds).toEqual([5, 3]);
  });

  test('without the bound reached, every tracked application of the token is refreshed along, none of another token', async () => {
    const rounds: RoundReport[] = [];
    const reads = fleet({ onRound: (round) => rounds.push(round) });
    await Promise.allSettled([...['a1', 'a2', 'a3'].map((app) => reads.read(target('t', app), deadline())), reads.read(target('u', 'b1'), deadline())]);
    now = 3000;
    await Promise.allSettled([reads.read(target('t', 'a1'), deadline())]);
    expect(rounds.map((r) => [r.tokenKey, r.applications])).toEqual([
      ['t', 3],
      ['u', 1],
      ['t', 3],
    ]);
  });

  test('a token none of whose applications was synced for 180 s is forgotten when another token appears', async () => {
    const reads = fleet();
    now = 1_000_000;
    await Promise.allSettled([reads.read(target('t1', 'app'), deadline())]);
    now += 179_000;
    await Promise.allSettled([reads.read(target('t2', 'app'), deadline())]);
    expect(reads.tokenCount).toBe(2);
    now += 2_000;
    await Promise.allSettled([reads.read(target('t3', 'app'), deadline())]);
    expect(reads.tokenCount).toBe(2);
    // t1 comes back: tracked again from scratch, t2 and t3 stay.
    await Promise.allSettled([reads.read(target('t1', 'app'), deadline())]);
    expect(reads.tokenCount).toBe(3);
  });

  test('storage grows with the applications, not with the bound: 200 tokens of one application each take no preallocated buffers', async () => {
    const reads = fleet();
    const before = process.memoryUsage().arrayBuffers;
    // One state per token, created synchronously (the rounds start after the 1 ms window).
    const pending = Array.from({ length: 200 }, (_, i) => reads.read(target(`token-${i}`, 'app'), deadline()));
    const grown = process.memoryUsage().arrayBuffers - before;
    await Promise.allSettled(pending);
    // lru-cache sized by `max` allocates three 20,000-byte Uint16Arrays per token for 10,000 slots: 12 MB here.
    expect(grown).toBeLessThan(1024 * 1024);
  });
});
