/**
 * Answers to repeated identical /sync requests. An answer is reused only while the GitHub
 * read it was computed from is still the shared read (so never staler than
 * LEDGER_CACHE_TTL_MS), and only answers that planned no GitHub write and met no problem are
 * kept: for those the answer is a function of the request bytes and that read alone.
 */
export interface MemoisedAnswer {
  /** The serialised response, UTF-8. */
  body: Buffer;
  /** Ready reason, for logs and metrics. */
  reason: string;
  /** namespace/name of the Environment, for logs. */
  environment: string;
  stillValid: () => boolean;
}

/** Per-entry bookkeeping on top of the body, rough. */
const ENTRY_OVERHEAD = 256;

export class ResponseMemo {
  private readonly entries = new Map<string, MemoisedAnswer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(digest: string): MemoisedAnswer | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    this.remove(digest, entry);
    if (!entry.stillValid()) return undefined;
    this.entries.set(digest, entry);
    this.bytes += sizeOf(entry);
    return entry;
  }

  set(digest: string, answer: MemoisedAnswer): void {
    const existing = this.entries.get(digest);
    if (existing) this.remove(digest, existing);
    if (sizeOf(answer) > this.maxBytes) return;
    this.entries.set(digest, answer);
    this.bytes += sizeOf(answer);
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  private remove(digest: string, entry: MemoisedAnswer): void {
    this.entries.delete(digest);
    this.bytes -= sizeOf(entry);
  }
}

function sizeOf(answer: MemoisedAnswer): number {
  return answer.body.length + ENTRY_OVERHEAD;
}
