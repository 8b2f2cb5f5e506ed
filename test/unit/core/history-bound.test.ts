/**
 * A year of releases: status.environmentInfos keeps at most MAX_HISTORY_ENTRIES (20) entries per
 * environment, so one Environment's status stays small however long GitHub's history grows.
 */
import { decideSync } from '../../../src/core/decide.js';
import { MAX_HISTORY_ENTRIES } from '../../../src/core/environment-infos.js';
import type { KubernetesObject } from '../../../src/generated/kubernetes.js';
import type { Ledger, LedgerDeployment } from '../../../src/core/types.js';
import { interpretRequest, LOCAL_URL, NS, productionSpec, environment } from './scenario.js';
import { status } from './helpers.js';

const HISTORY = 2_000;
const START = Date.parse('2025-01-01T00:00:00Z');
const revision = (n: number) => n.toString(16).padStart(40, '0');
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const at = (n: number, minutes = 0) => new Date(START + n * 4 * 3_600_000 + minutes * 60_000).toISOString().replace('.000Z', 'Z');
const version = (n: number) => ({ tag: `v1.${n}.0`, revision: revision(n), digest: digest(n), created: at(n) });

/** Release n deployed as payload id n in `environment`, baked successfully a minute later. */
function deployed(environment: string, n: number, minutes: number): LedgerDeployment {
  return {
    nodeId: `DE_${environment}_${n}`,
    environment,
    payload: { id: n, version: version(n) },
    createdAt: at(n, minutes),
    description: 'Automatic deployment',
    statuses: [status('success', 'Bake succeeded: Bake time completed successfully (no errors within bake time).', at(n, minutes + 1))],
  };
}

/** staging → production → canary, each with HISTORY releases; production's Rollout keeps its newest 10. */
function scenario(candidates: number[]) {
  const deployments = ['staging', 'production', 'canary'].flatMap((env, i) => Array.from({ length: HISTORY }, (_, n) => deployed(env, n + 1, 10 * i)));
  const ledger: Ledger = { environments: ['canary', 'production', 'staging'], deployments };
  const history = Array.from({ length: 10 }, (_, k) => HISTORY - k).map((n) => ({
    id: n,
    version: version(n),
    timestamp: at(n, 10),
    message: 'Automatic deployment',
    bakeStatus: 'Succeeded',
    bakeStatusMessage: 'Bake time completed successfully (no errors within bake time).',
  }));
  const rollout = {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'my-app', namespace: NS },
    status: { history, releaseCandidates: candidates.map(version) },
  } as KubernetesObject;
  const canary = environment('my-app-canary', { ...productionSpec(), environment: 'canary', relationship: { environment: 'production', type: 'After' } });
  const interpretation = interpretRequest({ rollout, siblings: [canary] });
  return decideSync(interpretation, { ledger }, { now: '2026-12-01T00:00:00Z', localEnvironmentUrl: LOCAL_URL, unconfirmedWindowMs: 40_000 });
}

const ids = (d: ReturnType<typeof scenario>, env: string) => d.status.environmentInfos!.find((i) => i.environment === env)!.history!.map((e) => e.id);
const newest = (count: number, from = HISTORY) => Array.from({ length: count }, (_, k) => from - k);

test('each environment keeps its newest 20 entries; the status stays far below 64 KiB', () => {
  const d = scenario(newest(5));
  expect(MAX_HISTORY_ENTRIES).toBe(20);
  expect(d.status.environmentInfos!.map((i) => i.environment)).toEqual(['staging', 'production', 'canary']);
  for (const env of ['staging', 'production', 'canary']) expect(ids(d, env)).toEqual(newest(20));
  // About 400 bytes per entry (tag, revision, digest, created, message and bake message).
  expect(Buffer.byteLength(JSON.stringify(d.status))).toBeLessThan(28 * 1024);
  expect(d.children[0]!.spec.allowedVersions).toEqual(['v1.2000.0', 'v1.1999.0', 'v1.1998.0', 'v1.1997.0', 'v1.1996.0']);
  expect(d.status.currentVersion).toBe(revision(HISTORY));
});

test('in the upstream environment, release candidates older than the newest 20 keep their entries, within the same bound', () => {
  const old = [1_900, 1_500, 1_000, 3];
  const d = scenario([HISTORY, ...old]);
  expect(ids(d, 'staging')).toEqual([...newest(16), ...old]);
  expect(ids(d, 'canary')).toEqual(newest(20));
  expect(d.children[0]!.spec.allowedVersions).toEqual(['v1.2000.0', 'v1.1900.0', 'v1.1500.0', 'v1.1000.0', 'v1.3.0']);
  expect(Buffer.byteLength(JSON.stringify(d.status))).toBeLessThan(28 * 1024);
});
