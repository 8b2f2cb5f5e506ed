/** metav1.Condition bookkeeping: lastTransitionTime moves only when a condition's status flips. */
import type { Condition } from '../generated/environment.js';
import { boundedString, MAX_CONDITION_MESSAGE } from './sanitise.js';

export type ConditionType = 'Ready' | 'GitHubSynced' | 'GateReady' | 'Degraded';
export const CONDITION_ORDER: readonly ConditionType[] = ['Ready', 'GitHubSynced', 'GateReady', 'Degraded'];

export interface ConditionInput {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function mergeConditions(observed: readonly Condition[] | undefined, desired: readonly ConditionInput[], generation: number, now: string): Condition[] {
  const previous = new Map((observed ?? []).map((c) => [c.type, c]));
  return [...desired]
    .sort((a, b) => CONDITION_ORDER.indexOf(a.type) - CONDITION_ORDER.indexOf(b.type))
    .map((c) => {
      const before = previous.get(c.type);
      const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
      return {
        lastTransitionTime,
        message: boundedString(c.message, MAX_CONDITION_MESSAGE) ?? '',
        observedGeneration: generation,
        reason: c.reason,
        status: c.status,
        type: c.type,
      };
    });
}
