/** Issue 12 item 4: history that cannot be published is reported, and Ready does not claim it all is. */
import { decideSync } from '../../../src/core/decide.js';
import type { KubernetesObject } from '../../../src/generated/kubernetes.js';
import { interpretRequest, ledger, LOCAL_URL, rollout } from './scenario.js';

const T1 = '2026-11-21T10:00:00Z';

function withUnrevisioned(tags: string[]): KubernetesObject {
  const r = rollout() as unknown as { status: { history: Record<string, unknown>[] } };
  const extra = tags.map((tag, i) => ({
    id: 20 + i,
    version: { tag },
    timestamp: '2026-11-21T09:30:00Z',
    message: 'Automatic deployment',
    bakeStatus: 'Succeeded',
  }));
  r.status.history = [...extra, ...r.status.history];
  return r as unknown as KubernetesObject;
}

function conditionsOf(r: KubernetesObject) {
  const d = decideSync(interpretRequest({ rollout: r }), { ledger: ledger() }, { now: T1, localEnvironmentUrl: LOCAL_URL, unconfirmedWindowMs: 40_000 });
  return Object.fromEntries((d.status.conditions ?? []).map((c) => [c.type, [c.status, c.reason, c.message]]));
}

describe('RevisionMissing', () => {
  it('counts entries without version.revision and names the OCI annotation to set', () => {
    const message =
      '1 history entry of Rollout my-app (tag "v1.3.0") without version.revision cannot be published to my-org/my-repo: set the image annotation org.opencontainers.image.revision';
    expect(conditionsOf(withUnrevisioned(['v1.3.0']))).toEqual({
      Ready: ['True', 'RevisionMissing', `Environment is synced with GitHub, except: ${message}`],
      GitHubSynced: ['False', 'RevisionMissing', message],
      GateReady: ['True', 'GateComputed', 'Gate my-app-production-gate allows 1 version(s) baked successfully in staging'],
      Degraded: ['True', 'RevisionMissing', message],
    });
  });

  it('lists at most five tags', () => {
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(conditionsOf(withUnrevisioned(tags)).GitHubSynced).toEqual([
      'False',
      'RevisionMissing',
      '7 history entries of Rollout my-app (tag "a", "b", "c", "d", "e", and 2 more) without version.revision cannot be published to my-org/my-repo: set the image annotation org.opencontainers.image.revision',
    ]);
  });

  it('is absent when every entry has a revision', () => {
    expect(conditionsOf(rollout()).Ready).toEqual(['True', 'Synced', 'Environment is in sync with GitHub']);
  });
});
