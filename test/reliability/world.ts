/**
 * Two Environments of one application (staging, production After staging) driven the way
 * Metacontroller drives them: each answer's status and gate are sent back on the next sync.
 * Used by the fault matrix to compare a faulty run with a fault-free one.
 */
import type { Harness } from '../support/harness.js';
import { REPOSITORY } from '../support/harness.js';
import { environment, rollout, sha, syncRequest, type HistoryEntry } from '../support/requests.js';

export const R1 = sha('reliability-1');
export const R2 = sha('reliability-2');
export const R3 = sha('reliability-3');
export const CANDIDATES = [
  { tag: 'v1', revision: R1 },
  { tag: 'v2', revision: R2 },
  { tag: 'v3', revision: R3 },
];
export const STAGING_BEFORE: HistoryEntry[] = [{ id: 1, tag: 'v1', revision: R1, bakeStatus: 'Succeeded' }];
/** What staging's Rollout says once the fault strikes: v2 baked, v3 baking. */
export const STAGING_AFTER: HistoryEntry[] = [
  { id: 3, tag: 'v3', revision: R3, bakeStatus: 'InProgress' },
  { id: 2, tag: 'v2', revision: R2, bakeStatus: 'Succeeded', bakeStatusMessage: 'Bake time completed' },
  ...STAGING_BEFORE,
];
export const PRODUCTION_HISTORY: HistoryEntry[] = [{ id: 1, tag: 'v1', revision: R1, bakeStatus: 'Succeeded' }];

export interface Answer {
  status: number;
  json: any;
}

export class World {
  stagingStatus: Record<string, unknown> = {};
  productionStatus: Record<string, unknown> = {};
  gate: Record<string, unknown> | null = null;

  constructor(private readonly h: Harness) {}

  private parents() {
    return {
      staging: environment({ environment: 'staging', status: this.stagingStatus }),
      production: environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' }, status: this.productionStatus }),
    };
  }

  async syncStaging(history: HistoryEntry[]): Promise<Answer> {
    const { staging, production } = this.parents();
    const res = await this.h.post('/sync', syncRequest({ parent: staging, siblings: [production], rollout: rollout(history, CANDIDATES) }));
    if (res.status === 200) this.stagingStatus = res.json.status;
    return { status: res.status, json: res.json };
  }

  async syncProduction(): Promise<Answer> {
    const { staging, production } = this.parents();
    const res = await this.h.post(
      '/sync',
      syncRequest({ parent: production, siblings: [staging], rollout: rollout(PRODUCTION_HISTORY, CANDIDATES), gate: this.gate }),
    );
    if (res.status === 200) {
      this.productionStatus = res.json.status;
      this.gate = res.json.children[0] ?? null;
    }
    return { status: res.status, json: res.json };
  }
}

/** A condition; the emulator's address (a new port each run) in a message reads EMULATOR. */
export function condition(status: any, type: string): { status: string; reason: string; message: string } {
  const c = status.conditions.find((x: any) => x.type === type);
  return { status: c.status, reason: c.reason, message: (c.message as string).replace(/ at 127\.0\.0\.1:\d+ /g, ' at EMULATOR ') };
}

/** (environment, history id, revision) of every entry in environmentInfos. */
export function historyKeys(status: any): string[] {
  const keys: string[] = [];
  for (const info of status.environmentInfos ?? []) {
    for (const entry of info.history ?? []) keys.push(`${info.environment}#${entry.id}#${entry.version?.revision}`);
  }
  return keys.sort();
}

function decodePayload(payload: unknown): { id?: string; version?: { tag?: string; revision?: string } } {
  const text = typeof payload === 'string' ? Buffer.from(payload, 'base64').toString('utf8') : JSON.stringify(payload);
  return JSON.parse(text);
}

/** Deployments on GitHub per (environment, payload id, revision); more than one is a duplicate. */
export function deploymentCounts(h: Harness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of h.emulator.deployments(REPOSITORY)) {
    const payload = decodePayload(d.payload);
    const key = `${d.environment}#${payload.id}#${payload.version?.revision}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function duplicates(h: Harness): string[] {
  return [...deploymentCounts(h)].filter(([, n]) => n > 1).map(([key]) => key);
}

/** Tags GitHub records as baked successfully in staging: the newest of our statuses says so. */
/**
 * Whether staging's newest deployment on GitHub is deploying or baking (its newest status of
 * ours is in_progress or pending): production then resyncs after NEAR_CHANGE_RESYNC_SECONDS.
 */
export function stagingMovingOnGitHub(h: Harness): boolean {
  const staging = h.emulator.deployments(REPOSITORY).filter((d) => d.environment === 'kuberik/my-app/staging');
  const newest = staging.sort((a, b) => (a.created_at === b.created_at ? b.id - a.id : a.created_at < b.created_at ? 1 : -1))[0];
  const ours = newest && [...newest.statuses].reverse().find((s) => /^(Bake |Baking|Deploying)/.test(s.description));
  return ours?.state === 'in_progress' || ours?.state === 'pending';
}

export function bakedInStaging(h: Harness): string[] {
  const tags: string[] = [];
  for (const d of h.emulator.deployments(REPOSITORY)) {
    if (d.environment !== 'kuberik/my-app/staging') continue;
    const ours = [...d.statuses].reverse().find((s) => /^(Bake |Baking|Deploying)/.test(s.description));
    if (ours?.state === 'success' && ours.description.startsWith('Bake succeeded')) tags.push(decodePayload(d.payload).version!.tag!);
  }
  return tags.sort();
}
