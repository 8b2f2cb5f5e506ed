import { covers, HORIZON_SLACK_MS, ledgerView, MIN_PER_ENVIRONMENT, readHorizon } from '../../../src/core/read-horizon.js';
import type { Ledger, LedgerDeployment } from '../../../src/core/types.js';

const AFTER = { environment: 'staging', type: 'After' } as const;
const entry = (id: number, timestamp?: string) => ({ id, version: { tag: `v${id}`, revision: `r${id}` }, ...(timestamp ? { timestamp } : {}) });

describe('readHorizon', () => {
  it('is the oldest local entry or (with a relationship) release candidate, less a day', () => {
    const history = [entry(2, '2026-11-20T10:00:00Z'), entry(1, '2026-11-10T10:00:00Z')];
    const candidates = [{ tag: 'v3', revision: 'r3', created: '2026-11-05T00:00:00Z' }];
    expect(HORIZON_SLACK_MS).toBe(86_400_000);
    expect(readHorizon({ history, releaseCandidates: candidates, relationship: undefined })).toBe('2026-11-09T10:00:00.000Z');
    expect(readHorizon({ history, releaseCandidates: candidates, relationship: AFTER })).toBe('2026-11-04T00:00:00.000Z');
  });

  it('is undefined (all of history) for an entry without a timestamp or a gated candidate without created', () => {
    expect(readHorizon({ history: [entry(1)], releaseCandidates: [], relationship: undefined })).toBeUndefined();
    expect(readHorizon({ history: [], releaseCandidates: [{ tag: 'v1', revision: 'r1' }], relationship: AFTER })).toBeUndefined();
    expect(readHorizon({ history: [], releaseCandidates: [{ tag: 'v1', revision: 'r1' }], relationship: undefined })).toBe('+275760-09-13T00:00:00.000Z');
  });
});

describe('ledgerView and covers', () => {
  const deployment = (environment: string, n: number): LedgerDeployment => ({
    nodeId: `${environment}-${n}`,
    environment,
    payload: { id: n, version: { tag: `v${n}`, revision: `r${n}` } },
    createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + n * 86_400_000).toISOString().replace('.000Z', 'Z'),
    description: '',
    statuses: [],
  });
  const ledger: Ledger = {
    environments: ['production', 'staging'],
    deployments: [
      ...Array.from({ length: 60 }, (_, i) => deployment('staging', i + 1)),
      ...Array.from({ length: 5 }, (_, i) => deployment('production', i + 1)),
    ],
  };

  it('keeps what was created at or after the horizon and the newest of each environment', () => {
    expect(MIN_PER_ENVIRONMENT).toBe(20);
    const staging = (view: Ledger) => view.deployments.filter((d) => d.environment === 'staging').map((d) => d.payload.id);
    const view = ledgerView(ledger, '2026-01-31T00:00:00Z'); // release 30 on
    expect(staging(view)).toEqual(Array.from({ length: 31 }, (_, i) => 30 + i));
    expect(staging(ledgerView(ledger, '2026-02-20T00:00:00Z'))).toEqual(Array.from({ length: 20 }, (_, i) => 41 + i));
    expect(view.deployments.filter((d) => d.environment === 'production').map((d) => d.payload.id)).toEqual([1, 2, 3, 4, 5]);
    expect(ledgerView(ledger, undefined)).toBe(ledger);
  });

  it('a read since a time covers the syncs whose horizon is not older', () => {
    const partial: Ledger = { ...ledger, readSince: '2026-02-20T00:00:00Z' };
    expect(covers(ledger, undefined)).toBe(true);
    expect(covers(partial, '2026-02-20T00:00:00.000Z')).toBe(true);
    expect(covers(partial, '2026-03-01T00:00:00Z')).toBe(true);
    expect(covers(partial, '2026-02-19T23:59:59Z')).toBe(false);
    expect(covers(partial, undefined)).toBe(false);
  });
});
