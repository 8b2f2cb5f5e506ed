/** Fault injection: the first registered fault whose `match` fits a request applies, `times` times. */
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

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error(`fault.times must be positive, got ${times}`);
    if (fault.action.kind === 'delay' && !(fault.action.ms >= 0)) throw new Error('delay fault needs ms >= 0');
    // Copied so later changes by the caller do not alter an armed fault.
    this.armed.push({ fault: { ...fault, match: { ...fault.match }, action: { ...fault.action } }, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** Consumes one use of the first matching fault. */
  take(subject: FaultSubject): Fault['action'] | undefined {
    const i = this.armed.findIndex((a) => faultMatches(a.fault.match, subject));
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    a.remaining -= 1;
    if (a.remaining <= 0) this.armed.splice(i, 1);
    return a.fault.action;
  }
}
