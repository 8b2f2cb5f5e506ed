import type { GitHubSession } from '../../../src/github/client.js';
import {
  FleetReads,
  refreshAlongAgeMs,
  type FleetReadsOptions,
  type FleetTarget,
  type RoundReport,
  type RoundScheduler,
} from '../../../src/github/fleet-reads.js';
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

/** Shared reads live 5 s on the clock `now`; a round refreshes tracked applications whose read is 2.5 s old; rounds are not spaced. */
function fleet(options: Partial<FleetReadsOptions> & { cache?: LedgerCache } = {}): FleetReads {
  now = 0;
  const { cache = new LedgerCache(5000, () => now), ...rest } = options;
  return new FleetReads(cache, { windowMs: 1, roundIntervalMs: 0, ttlMs: 5000, maxTtlMs: 5000, now: () => now, ...rest });
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

describe('FleetReads round spacing (FLEET_ROUND_INTERVAL_MS)', () => {
  /** A 20 ms batch window, rounds at least 2 s apart on the given monotonic clock, started by `scheduler`. */
  const spacedFleet = (scheduler: RoundScheduler, monotonicNow: () => number) => fleet({ windowMs: 20, roundIntervalMs: 2000, monotonicNow, scheduler });

  /** A round's reads settle just before the round itself ends (and schedules the next). */
  const roundEnded = () => new Promise((resolve) => setImmediate(resolve));

  /** Records each scheduled round's delay; the test starts the rounds. */
  class RecordingScheduler implements RoundScheduler {
    delays: number[] = [];
    private starts: (() => void)[] = [];
    schedule(start: () => void, delayMs: number): () => void {
      this.delays.push(delayMs);
      this.starts.push(start);
      return () => {
        this.starts = this.starts.filter((s) => s !== start);
      };
    }
    startAll(): void {
      const due = this.starts;
      this.starts = [];
      for (const s of due) s();
    }
  }

  test("a quiet token's read waits only the batch window; one arriving soon after a round waits until the interval has passed since that round began", async () => {
    let monotonic = 1_000;
    const scheduler = new RecordingScheduler();
    const reads = spacedFleet(scheduler, () => monotonic);
    const first = reads.read(target('t', 'a1'), deadline());
    scheduler.startAll();
    await first;
    await roundEnded();
    monotonic += 300; // the round took 300 ms; a marked sync of another application arrives now
    const second = reads.read(target('t', 'a2'), deadline(), true);
    // Another token is not spaced by this one's rounds.
    const other = reads.read(target('u', 'b1'), deadline());
    scheduler.startAll();
    await Promise.all([second, other]);
    expect(scheduler.delays).toEqual([20, 1700, 20]);
  });

  test('reads arriving while a round is in flight wait for the interval after it began, not after it ended', async () => {
    let monotonic = 0;
    const scheduler = new RecordingScheduler();
    let finish!: () => void;
    const slow = {
      ...session,
      readLedgers: () => new Promise((resolve) => (finish = () => resolve({ requests: 1, points: 1, failures: new Map() }))),
    } as unknown as GitHubSession;
    const reads = spacedFleet(scheduler, () => monotonic);
    const first = reads.read({ ...target('t', 'a1'), session: slow }, deadline());
    scheduler.startAll();
    monotonic = 500;
    const queued = reads.read(target('t', 'a2'), deadline(), true);
    monotonic = 1_200; // GitHub answers the first round
    finish();
    await first;
    await roundEnded();
    scheduler.startAll();
    await queued;
    expect(scheduler.delays).toEqual([20, 800]);
  });
});

describe('FleetReads refreshes along', () => {
  test('polled applications at half their shared lifetime, those whose events flow at three quarters', async () => {
    const cache = new LedgerCache(5000, () => now, 300_000, 60_000);
    const rounds: RoundReport[] = [];
    const reads = fleet({ cache, onRound: (round) => rounds.push(round) });
    cache.noteEventsFlowing('t/evented', true);
    await Promise.all(['polled', 'evented'].map((app) => reads.read(target('t', app), deadline())));
    expect([cache.sharedLifetimeMs('t/polled'), cache.sharedLifetimeMs('t/evented')]).toEqual([5000, 60_000]);
    now = 44_999; // the polled read is long expired, the evented one short of 45 s
    await reads.read(target('t', 'trigger'), deadline());
    now = 45_000;
    await reads.read(target('t', 'trigger2'), deadline());
    expect(rounds.map((r) => r.applications)).toEqual([2, 2, 2]);
    expect([refreshAlongAgeMs(5000, false), refreshAlongAgeMs(60_000, true)]).toEqual([2500, 45_000]);
  });
});
