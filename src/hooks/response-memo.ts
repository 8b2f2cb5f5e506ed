/**
 * Answers to repeated identical /sync requests in steady state. Metacontroller sends back
 * the status it got from the last answer; when the new answer's status is that observed
 * status, all that needs keeping is where the status sits in the request's bytes and the
 * rest of the answer (children, resync): a byte-identical request then gets its own status
 * back, with no parsing and almost no memory per Environment.
 *
 * An answer is reused only while the GitHub read it was computed from is still the shared
 * read (so never staler than that read's lifetime: LEDGER_CACHE_TTL_MS, longer only while a
 * token's GitHub budget runs short), and only answers that planned no GitHub
 * write and met no problem are kept: for those the answer is a function of the request
 * bytes and that read alone.
 */
import { sameJson } from '../core/canonical.js';
import type { SyncResponse } from '../generated/hooks.js';
import { locateValue } from './json-locate.js';

export interface SteadyAnswer {
  /** Byte range of parent.status in the request. */
  statusRange: readonly [number, number];
  /** The answer after its status, UTF-8: `,"children":[…],"resyncAfterSeconds":N}`. */
  tail: Buffer;
}

export interface MemoisedAnswer extends SteadyAnswer {
  /** Ready reason, for logs and metrics. */
  reason: string;
  /** namespace/name of the Environment, for logs. */
  environment: string;
  stillValid: () => boolean;
}

export interface ObservedStatus {
  /** Byte range of parent.status in the request. */
  statusRange: readonly [number, number];
  /** parent.status as those bytes parse. */
  status: unknown;
}

/** Where parent.status sits in `request`, and what it holds. */
export function observeStatus(request: Buffer): ObservedStatus | undefined {
  const statusRange = locateValue(request, ['parent', 'status']);
  if (!statusRange) return undefined;
  return { statusRange, status: JSON.parse(request.toString('utf8', statusRange[0], statusRange[1])) };
}

/**
 * The answer as its parts when its status is the observed status (as the request's bytes
 * hold it), apart from `observedGeneration`, which Metacontroller adds to every status it
 * writes and sets again from the parent whatever an answer says. Else undefined, and the
 * answer is not worth keeping: the next request will differ.
 */
export function steadyAnswer(observed: ObservedStatus, response: SyncResponse): SteadyAnswer | undefined {
  const status = observed.status;
  if (!status || typeof status !== 'object' || Array.isArray(status)) return undefined;
  if (!sameJson(withoutGeneration(status), withoutGeneration(response.status))) return undefined;
  const { status: _status, ...rest } = response;
  return { statusRange: observed.statusRange, tail: Buffer.from(`,${JSON.stringify(rest).slice(1)}`) };
}

function withoutGeneration(status: object): Record<string, unknown> {
  const { observedGeneration: _setByMetacontroller, ...rest } = status as Record<string, unknown>;
  return rest;
}

const STATUS_HEAD = Buffer.from('{"status":');

/** The answer's bytes for `request` (the same bytes it was kept for). */
export function renderAnswer(answer: SteadyAnswer, request: Buffer): Buffer {
  return Buffer.concat([STATUS_HEAD, request.subarray(answer.statusRange[0], answer.statusRange[1]), answer.tail]);
}

/** Per-entry bookkeeping on top of the tail's bytes, rough. */
const ENTRY_OVERHEAD = 256;

export class ResponseMemo {
  private readonly entries = new Map<string, MemoisedAnswer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(digest: string): MemoisedAnswer | undefined {
    const entry = this.entries.get(digest);
    if (!entry || entry.stillValid()) return entry;
    this.remove(digest, entry);
    return undefined;
  }

  set(digest: string, answer: MemoisedAnswer): void {
    const existing = this.entries.get(digest);
    if (existing) this.remove(digest, existing);
    if (sizeOf(answer) > this.maxBytes) return;
    // Oldest kept first out: in steady state every Environment's entry is renewed only when its answer changes.
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
  return answer.tail.length + ENTRY_OVERHEAD;
}
