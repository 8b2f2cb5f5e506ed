/**
 * A token bucket for log lines a caller can provoke (rejected hook calls): a burst is logged
 * in full, a flood cannot fill the disk. Lines it holds back are counted and the count
 * rides on the next line it lets through.
 */
export class LogBudget {
  private tokens: number;
  private last: number;
  private suppressed = 0;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly nowMs: () => number,
  ) {
    this.tokens = burst;
    this.last = nowMs();
  }

  /** `undefined`: hold this line back; else log it, with the number of lines held back since the last one. */
  take(): { suppressed: number } | undefined {
    const now = this.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) {
      this.suppressed++;
      return undefined;
    }
    this.tokens--;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return { suppressed };
  }
}
