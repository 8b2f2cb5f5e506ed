/**
 * Benchmark data: applications whose environments each carry a Rollout history that is
 * already published on GitHub (steady state), and the Metacontroller hook requests that
 * sync one of those environments. Deployments are seeded in the Go controller's wire
 * format, so our service and the modelled Go pattern read the same ledger.
 */
import { createHash } from 'node:crypto';
import { encodePayload } from '../src/core/payload.js';
import type { GitHubEmulator, SeedDeployment } from '../tools/github-emulator/index.js';

export const TOKEN = 'ghp_benchmarkToken0123456789abcdefghijkl';
const SEED_START = Date.parse('2026-01-01T00:00:00Z');

export interface AppScenario {
  /** owner/repo */
  repository: string;
  /** spec.name, without the kuberik/ prefix. */
  app: string;
  namespace: string;
  environments: string[];
  /** chain (default): environments[i] runs After environments[i-1]; star: every other environment runs After environments[0]. */
  topology?: 'chain' | 'star';
  /** History entries per environment. */
  history: number;
  /** The first entry seedScenario seeds (default 1): a later call adds newer releases. */
  firstId?: number;
  /** The GitHub token in the Environments' Secret (default TOKEN). */
  token?: string;
}

export interface HistoryEntry {
  id: number;
  version: { tag: string; revision: string };
  timestamp: string;
  message: string;
  bakeStatus: string;
}

export function environmentNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `env${String(i).padStart(3, '0')}`);
}

/** A 40-hex revision derived from a label. */
export function revision(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

/** Entry `id` of an application: the same releases flow through every environment. */
export function historyEntry(app: string, id: number, bakeStatus = 'Succeeded'): HistoryEntry {
  return {
    id,
    version: { tag: `v1.${id}.0`, revision: revision(`${app}#${id}`) },
    timestamp: new Date(SEED_START + id * 3_600_000).toISOString().replace('.000Z', 'Z'),
    message: 'Automatic deployment',
    bakeStatus,
  };
}

/** Newest first, as a Rollout keeps it. */
export function history(app: string, count: number, extra = 0): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (let id = count + extra; id >= 1; id--) entries.push(historyEntry(app, id, id > count ? 'Deploying' : 'Succeeded'));
  return entries;
}

export function relationshipOf(s: AppScenario, environment: string): { environment: string; type: 'After' } | undefined {
  const i = s.environments.indexOf(environment);
  if (i <= 0) return undefined;
  return { environment: s.environments[s.topology === 'star' ? 0 : i - 1]!, type: 'After' };
}

/** Publishes every environment's history as the Go controller would have: deployment, "Deploying", then "Bake succeeded". */
export function seedScenario(emulator: GitHubEmulator, s: AppScenario): number {
  let seeded = 0;
  s.environments.forEach((environment, e) => {
    for (let id = s.firstId ?? 1; id <= s.history; id++) {
      const entry = historyEntry(s.app, id);
      const at = SEED_START + id * 3_600_000 + e * 60_000;
      const relationship = relationshipOf(s, environment);
      const deployment: SeedDeployment = {
        sha: entry.version.revision,
        ref: entry.version.revision,
        task: `deploy:kuberik/${s.app}`,
        environment: `kuberik/${s.app}/${environment}`,
        description: entry.message,
        payload: encodePayload({ id, ...(relationship ? { relationship } : {}), version: entry.version }),
        created_at: iso(at),
        production_environment: false,
        statuses: [
          { state: 'success', description: 'Bake succeeded', environment: `kuberik/${s.app}/${environment}`, created_at: iso(at + 600_000) },
          { state: 'in_progress', description: 'Deploying', environment: `kuberik/${s.app}/${environment}`, created_at: iso(at + 5_000) },
        ],
      };
      emulator.seedDeployment(s.repository, deployment);
      seeded++;
    }
  });
  return seeded;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export interface EnvironmentObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; generation: number };
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

export function environmentObject(s: AppScenario, environment: string, status: Record<string, unknown> = {}): EnvironmentObject {
  const relationship = relationshipOf(s, environment);
  return {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: { name: `${s.app}-${environment}`, namespace: s.namespace, uid: `uid-${s.namespace}-${s.app}-${environment}`, generation: 1 },
    spec: {
      name: s.app,
      environment,
      rolloutRef: { name: s.app },
      backend: { type: 'github', project: s.repository },
      ...(relationship ? { relationship } : {}),
    },
    status,
  };
}

export interface SyncInput {
  scenario: AppScenario;
  environment: string;
  /** New history entries beyond the published ones. */
  newEntries?: number;
  /** With newEntries 1: the new entry's id (default H+1), so that repeated samples each publish a release the service has not seen. */
  newEntryId?: number;
  /** The status the previous sync returned (what Metacontroller would send back). */
  observedStatus?: Record<string, unknown>;
  /** The RolloutGate the previous sync returned. */
  observedGate?: Record<string, unknown> | undefined;
  /** Sibling Environments of the namespace Metacontroller relates (default: only the synced one). */
  siblings?: string[];
}

/** A Metacontroller v2 sync request, shaped as test/support/requests.ts builds them. */
export function syncRequest(input: SyncInput): Record<string, unknown> {
  const s = input.scenario;
  const parent = environmentObject(s, input.environment, input.observedStatus ?? {});
  const key = (name: string) => `${s.namespace}/${name}`;
  const entries =
    input.newEntryId !== undefined && input.newEntries === 1
      ? [historyEntry(s.app, input.newEntryId, 'Deploying'), ...history(s.app, s.history)]
      : history(s.app, s.history, input.newEntries ?? 0);
  const rollout = {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'Rollout',
    metadata: { name: s.app, namespace: s.namespace },
    spec: {},
    status: { history: entries, releaseCandidates: entries.map((e) => e.version) },
  };
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'github-token', namespace: s.namespace },
    type: 'Opaque',
    data: { token: Buffer.from(s.token ?? TOKEN).toString('base64') },
  };
  const siblings = (input.siblings ?? []).filter((e) => e !== input.environment).map((e) => environmentObject(s, e));
  const gate = input.observedGate as { metadata?: { name?: string } } | undefined;
  return {
    controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'environment-sync' } },
    parent,
    children: { 'RolloutGate.kuberik.com/v1alpha1': gate?.metadata?.name ? { [key(gate.metadata.name)]: gate } : {} },
    related: {
      'Rollout.kuberik.com/v1alpha1': { [key(s.app)]: rollout },
      'Secret.v1': { [key('github-token')]: secret },
      'Environment.environments.kuberik.com/v1alpha1': Object.fromEntries([parent, ...siblings].map((e) => [key(e.metadata.name), e])),
    },
    finalizing: false,
  };
}

/** The request Metacontroller sends next: the previous response's status and gate as observed state. */
/** What Metacontroller sends after applying `response`: its status (with the `observedGeneration` Metacontroller adds) and its gate. */
export function nextRequest(input: SyncInput, response: { status: Record<string, unknown>; children: Record<string, unknown>[] }): SyncInput {
  const gate = response.children[0];
  return {
    ...input,
    observedStatus: { ...response.status, observedGeneration: 1 },
    observedGate: gate ? { ...gate, metadata: { ...(gate.metadata as object), namespace: input.scenario.namespace } } : undefined,
  };
}
