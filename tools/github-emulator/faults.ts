/**
 * Fault injection: the first registered fault whose `match` fits a request applies, `times` times.
 * A fault with `probability` applies to that share of matching requests, drawn from a seeded
 * generator so a run is repeatable.
 */
import type { Fault } from './types.js';

export interface FaultSubject {
  api: 'graphql' | 'rest';
  method: string;
  path: string;
  mutation: boolean;
}

interface ArmedFault {
  fault: Fault;
  remaining: number;
}

export function faultMatches(match: Fault['match'], r: FaultSubject): boolean {
  if (match.api !== undefined && match.api !== r.api) return false;
  if (match.method !== undefined && match.method.toUpperCase() !== r.method.toUpperCase()) return false;
  if (match.pathIncludes !== undefined && !r.path.includes(match.pathIncludes)) return false;
  if (match.mutation !== undefined && match.mutation !== r.mutation) return false;
  return true;
}

export class FaultInjector {
  private armed: ArmedFault[] = [];
  private readonly random: () => number;

  constructor(seed = 0x5eed) {
    this.random = seededRandom(seed);
  }

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error(`fault.times must be positive, got ${times}`);
    if ((fault.action.kind === 'delay' || fault.action.kind === 'delay-response') && !(fault.action.ms >= 0))
      throw new Error(`${fault.action.kind} fault needs ms >= 0`);
    if (fault.probability !== undefined && !(fault.probability > 0 && fault.probability <= 1)) {
      throw new Error(`fault.probability must be in (0, 1], got ${fault.probability}`);
    }
    // Copied so later changes by the caller do not alter an armed fault.
    this.armed.push({ fault: { ...fault, match: { ...fault.match }, action: { ...fault.action } }, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** Consumes one use of the first matching fault. */
  take(subject: FaultSubject): Fault['action'] | undefined {
    const i = this.armed.findIndex((a) => faultMatches(a.fault.match, subject) && (a.fault.probability === undefined || this.random() < a.fault.probability));
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    a.remaining -= 1;
    if (a.remaining <= 0) this.armed.splice(i, 1);
    return a.fault.action;
  }
}

/** mulberry32: small, fast and good enough to spread faults over requests. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
