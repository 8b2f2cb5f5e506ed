/**
 * (8) A year-old application: H deployments in each of two environments (staging → production).
 * Production's Rollout keeps its newest ten entries and its three newest releases as
 * candidates, as a Rollout does. Each sync reads back to its read horizon
 * (src/core/read-horizon.ts); the "full read" rows send the same Rollout without entry
 * timestamps, which makes the horizon unknown, so the read pages through all of history
 * (what every sync did before the horizon).
 */
import { request } from 'undici';
import type { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { startGitHub } from '../github.js';
import { environmentObject, historyEntry, nextRequest, seedScenario, TOKEN, type AppScenario, type SyncInput } from '../scenario.js';
import { HookClient, startService, type SyncResponse } from '../service.js';
import { median } from '../stats.js';

export type ReadMode = 'horizon' | 'full read';

export interface LongHistoryRow {
  history: number;
  mode: ReadMode;
  steady: { requests: number; ms: number };
  publish: { requests: number; writes: number; ms: number };
  statusBytes: number;
}

const KEPT_ENTRIES = 10;
const CANDIDATES = 3;

/**
 * Production's sync: its Rollout holds the newest KEPT_ENTRIES of its entries: H of them, and the new entry `newEntryId`
 * when given (each publish sample deploys a release of its own id: the service remembers a creation until a read shows
 * it, so a sample must never publish again the one an earlier sample's undo removed).
 */
function productionRequest(s: AppScenario, mode: ReadMode, observed: SyncInput, newEntryId?: number): Record<string, unknown> {
  const ids = [...(newEntryId === undefined ? [] : [newEntryId]), ...Array.from({ length: KEPT_ENTRIES }, (_, k) => s.history - k)];
  const entries = ids.slice(0, KEPT_ENTRIES).map((id) => {
    const e = historyEntry(s.app, id, id > s.history ? 'InProgress' : 'Succeeded');
    if (mode === 'horizon') return e;
    const { timestamp: _timestamp, ...untimed } = e;
    return untimed;
  });
  const candidates = ids
    .slice(0, CANDIDATES)
    .map((id) => historyEntry(s.app, id))
    .map((e) => ({ ...e.version, created: e.timestamp }));
  const environment = s.environments[1]!;
  return {
    controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'environment-sync' } },
    parent: environmentObject(s, environment, observed.observedStatus ?? {}),
    children: { 'RolloutGate.kuberik.com/v1alpha1': observed.observedGate ? { [`${s.namespace}/${s.app}-${environment}-gate`]: observed.observedGate } : {} },
    related: {
      'Rollout.kuberik.com/v1alpha1': {
        [`${s.namespace}/${s.app}`]: {
          apiVersion: 'kuberik.com/v1alpha1',
          kind: 'Rollout',
          metadata: { name: s.app, namespace: s.namespace },
          spec: {},
          status: { history: entries, releaseCandidates: candidates },
        },
      },
      'Secret.v1': {
        [`${s.namespace}/github-token`]: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'github-token', namespace: s.namespace },
          type: 'Opaque',
          data: { token: Buffer.from(TOKEN).toString('base64') },
        },
      },
      'Environment.environments.kuberik.com/v1alpha1': { [`${s.namespace}/${s.app}-${environment}`]: environmentObject(s, environment) },
    },
    finalizing: false,
  };
}

async function undoPublication(emulator: GitHubEmulator, s: AppScenario, id: number): Promise<void> {
  const revision = historyEntry(s.app, id).version.revision;
  const created = emulator.deployments(s.repository).filter((d) => d.sha === revision && d.environment.endsWith(`/${s.environments[1]}`));
  if (created.length !== 1) throw new Error(`expected one deployment of the new entry, found ${created.length}`);
  const path = `${emulator.url}/repos/${s.repository}/deployments/${created[0]!.id}`;
  const headers = { authorization: `token ${TOKEN}`, 'content-type': 'application/json' };
  await (await request(`${path}/statuses`, { method: 'POST', headers, body: JSON.stringify({ state: 'inactive' }) })).body.dump();
  const deleted = await request(path, { method: 'DELETE', headers });
  await deleted.body.dump();
  if (deleted.statusCode !== 204) throw new Error(`undo failed: ${deleted.statusCode}`);
}

export async function measureLongHistory(options: { histories: number[]; rttMs: number; samples: number }): Promise<LongHistoryRow[]> {
  const rows: LongHistoryRow[] = [];
  for (const h of options.histories) {
    for (const mode of ['horizon', 'full read'] as const) {
      const emulator = await startGitHub(options.rttMs);
      const s: AppScenario = { repository: 'bench-org/long-history', app: 'my-app', namespace: 'default', environments: ['staging', 'production'], history: h };
      emulator.addRepository(s.repository);
      seedScenario(emulator, s);
      // Releases H+1 … H+samples baked in staging: production deploys one per publish sample.
      seedScenario(emulator, { ...s, environments: ['staging'], history: h + options.samples, firstId: h + 1 });
      const service = await startService(emulator.url, { LEDGER_CACHE_TTL_MS: '0' });
      const client = new HookClient(service.url, 1);
      try {
        let input: SyncInput = { scenario: s, environment: 'production' };
        const sync = async (newEntryId?: number): Promise<{ response: SyncResponse; requests: number; writes: number; ms: number }> => {
          emulator.resetRequests();
          const started = performance.now();
          const response = await client.sync(productionRequest(s, mode, input, newEntryId));
          const ms = performance.now() - started;
          const counts = emulator.counts();
          return { response, requests: counts.total, writes: counts.writes, ms };
        };
        // Two syncs reach the steady state (the first one reads cold).
        input = nextRequest(input, (await sync()).response);
        input = nextRequest(input, (await sync()).response);
        const steady = [];
        for (let i = 0; i < options.samples; i++) steady.push(await sync());
        const publish = [];
        for (let i = 0; i < options.samples; i++) {
          publish.push(await sync(h + 1 + i));
          await undoPublication(emulator, s, h + 1 + i);
        }
        if (steady.some((x) => x.writes !== 0)) throw new Error(`steady state wrote at H=${h} (${mode})`);
        rows.push({
          history: h,
          mode,
          steady: { requests: steady[0]!.requests, ms: median(steady.map((x) => x.ms)) },
          publish: { requests: publish[0]!.requests, writes: publish[0]!.writes, ms: median(publish.map((x) => x.ms)) },
          statusBytes: Buffer.byteLength(JSON.stringify(publish.at(-1)!.response.status)),
        });
      } finally {
        await client.close();
        await service.close();
        await emulator.close();
      }
    }
  }
  return rows;
}
