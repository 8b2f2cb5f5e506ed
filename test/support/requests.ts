/** Builders of Metacontroller v2 hook requests, shaped exactly as Metacontroller sends them. */
import type { SyncRequest } from '../../src/generated/hooks.js';

export const NAMESPACE = 'default';
export const TOKEN = 'ghp_integrationTestToken0123456789abcdef';

export interface EnvOptions {
  name?: string;
  environment: string;
  app?: string;
  project?: string;
  relationship?: { environment: string; type: 'After' | 'Parallel' };
  status?: Record<string, unknown>;
  generation?: number;
  secret?: string;
  requeueInterval?: string;
  deletionTimestamp?: string;
}

export function environment(o: EnvOptions): SyncRequest['parent'] {
  const spec: Record<string, unknown> = {
    name: o.app ?? 'my-app',
    environment: o.environment,
    rolloutRef: { name: 'my-app' },
    backend: { type: 'github', project: o.project ?? 'my-org/my-repo', ...(o.secret ? { secret: o.secret } : {}) },
  };
  if (o.relationship) spec.relationship = o.relationship;
  if (o.requeueInterval) spec.requeueInterval = o.requeueInterval;
  return {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: {
      name: o.name ?? `my-app-${o.environment}`,
      namespace: NAMESPACE,
      uid: `uid-${o.name ?? o.environment}`,
      generation: o.generation ?? 1,
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp } : {}),
    },
    spec,
    status: o.status ?? {},
  };
}

export interface HistoryEntry {
  id: number;
  tag: string;
  revision: string;
  bakeStatus?: string;
  bakeStatusMessage?: string;
  message?: string;
  timestamp?: string;
}

export function rollout(history: HistoryEntry[], candidates: { tag: string; revision?: string; created?: string }[] = []) {
  return {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'my-app', namespace: NAMESPACE },
    spec: {},
    status: {
      history: history.map((h) => ({
        id: h.id,
        version: { tag: h.tag, revision: h.revision },
        timestamp: h.timestamp ?? '2026-11-01T00:00:00Z',
        message: h.message ?? 'Automatic deployment',
        ...(h.bakeStatus ? { bakeStatus: h.bakeStatus } : {}),
        ...(h.bakeStatusMessage ? { bakeStatusMessage: h.bakeStatusMessage } : {}),
      })),
      releaseCandidates: candidates,
    },
  };
}

export function secret(token: string | null = TOKEN, name = 'github-token') {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NAMESPACE },
    type: 'Opaque',
    data: token === null ? { other: Buffer.from('x').toString('base64') } : { token: Buffer.from(token).toString('base64') },
  };
}

export interface SyncRequestOptions {
  parent: SyncRequest['parent'];
  rollout?: ReturnType<typeof rollout> | null;
  secret?: ReturnType<typeof secret> | null;
  siblings?: SyncRequest['parent'][];
  gate?: Record<string, unknown> | null;
  finalizing?: boolean;
}

export function syncRequest(o: SyncRequestOptions): SyncRequest {
  const key = (obj: { metadata: { name: string } }) => `${NAMESPACE}/${obj.metadata.name}`;
  const envs = [o.parent, ...(o.siblings ?? [])];
  return {
    controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'environment-sync' } },
    parent: o.parent,
    children: { 'RolloutGate.kuberik.com/v1alpha1': o.gate ? { [key(o.gate as never)]: o.gate } : {} },
    related: {
      'Rollout.kuberik.com/v1alpha1': o.rollout ? { [key(o.rollout)]: o.rollout } : {},
      'Secret.v1': o.secret === null ? {} : { [`${NAMESPACE}/${(o.secret ?? secret()).metadata.name}`]: o.secret ?? secret() },
      'Environment.environments.kuberik.com/v1alpha1': Object.fromEntries(envs.map((e) => [key(e), e])),
    },
    finalizing: o.finalizing ?? false,
  } as unknown as SyncRequest;
}

/** 40-hex revision derived from a label, stable across runs. */
export function sha(label: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 40; round++) {
    for (const c of `${label}#${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

/** One condition of a status, reduced to what the tests compare. */
export function condition(status: any, type: string): { status: string; reason: string; message: string } {
  const c = status.conditions.find((x: any) => x.type === type);
  return { status: c.status, reason: c.reason, message: c.message };
}
