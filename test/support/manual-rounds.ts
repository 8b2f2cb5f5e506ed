/**
 * Batched read rounds started by the test, not by a timer: a test waits until the reads it
 * expects are queued, then starts the round. Nothing depends on how fast the machine is.
 */
import type { RoundScheduler } from '../../src/github/fleet-reads.js';

interface Scheduled {
  start: () => void;
  waiting: number;
}

export class ManualRounds implements RoundScheduler {
  private scheduled = new Set<Scheduled>();
  private watchers: { reads: number; resolve: () => void }[] = [];

  schedule(start: () => void, _delayMs: number, waiting: number): () => void {
    const entry = { start, waiting };
    this.scheduled.add(entry);
    this.notify();
    return () => {
      this.scheduled.delete(entry);
    };
  }

  /** Reads queued for rounds not started yet, over all tokens. */
  get waiting(): number {
    let sum = 0;
    for (const s of this.scheduled) sum += s.waiting;
    return sum;
  }

  /** Resolves once `reads` reads are queued. */
  whenWaiting(reads: number): Promise<void> {
    if (this.waiting >= reads) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ reads, resolve }));
  }

  /** Starts every scheduled round now. */
  startAll(): void {
    const due = [...this.scheduled];
    this.scheduled.clear();
    for (const s of due) s.start();
  }

  /** Waits for `reads` queued reads, then starts their rounds. */
  async start(reads: number): Promise<void> {
    await this.whenWaiting(reads);
    this.startAll();
  }

  private notify(): void {
    const waiting = this.waiting;
    this.watchers = this.watchers.filter((w) => {
      if (waiting < w.reads) return true;
      w.resolve();
      return false;
    });
  }
}
