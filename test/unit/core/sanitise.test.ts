/** Spec §4 / issue 12 item 6: one malformed record never breaks status. */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { CRD_FILE, crdValidator } from '../../../scripts/generate-crd.js';
import { decideSync } from '../../../src/core/decide.js';
import { boundedString, rfc3339, sanitiseEntry } from '../../../src/core/sanitise.js';
import type { Ledger, LedgerDeployment } from '../../../src/core/types.js';
import { interpretRequest, ledger, LOCAL_URL, NS, productionSpec, SELF } from './scenario.js';

describe('rfc3339', () => {
  it.each([
    ['2026-11-19T10:00:00Z', '2026-11-19T10:00:00Z'],
    ['2026-11-19t10:00:00z', '2026-11-19T10:00:00Z'],
    ['2026-11-19T12:00:00+02:00', '2026-11-19T10:00:00Z'],
    ['2026-11-19T10:00:00.5Z', '2026-11-19T10:00:00.500Z'],
  ])('%j → %j', (value, expected) => {
    expect(rfc3339(value)).toBe(expected);
  });

  it.each([['yesterday'], [''], ['2026-02-30T00:00:00Z'], ['2026-11-19'], ['2026-11-19T24:00:00Z'], ['2026-11-19T10:00:00+25:00'], [1700000000], [null]])(
    '%j is not a date-time',
    (value) => {
      expect(rfc3339(value)).toBeUndefined();
    },
  );
});

describe('boundedString', () => {
  it('cuts to a number of code points without splitting a surrogate pair', () => {
    expect(boundedString('ab😀cd', 3)).toBe('ab😀');
  });
  it('replaces lone surrogates', () => {
    expect(boundedString('a\uD800b', 10)).toBe('a\uFFFDb');
  });
  it('refuses non-strings', () => {
    expect(boundedString(42, 10)).toBeUndefined();
  });
});

describe('sanitiseEntry', () => {
  it('drops a version.created that is not a date-time and an entry whose timestamp is not one', () => {
    expect(sanitiseEntry({ id: 1, version: { tag: 'v1', revision: 'abc', created: 'yesterday' }, timestamp: '2026-11-19T10:00:00Z' })).toEqual({
      id: 1,
      version: { tag: 'v1', revision: 'abc' },
      timestamp: '2026-11-19T10:00:00Z',
    });
    expect(sanitiseEntry({ id: 1, version: { tag: 'v1' }, timestamp: 'soon' })).toBeUndefined();
  });
});

describe('a malformed upstream record', () => {
  const crd = YAML.parse(readFileSync(CRD_FILE, 'utf8')) as unknown;
  const validate = crdValidator(crd, { rejectUnknownFields: true });

  function hostile(): LedgerDeployment {
    return {
      nodeId: 'DE_hostile',
      environment: 'staging',
      // decodePayload keeps strings as they come: these are what a payload can carry.
      payload: {
        id: 99,
        version: { tag: `v9-${'x'.repeat(5000)}`, revision: 'f'.repeat(40), digest: 'sha256:\uD800', version: '9.0.0', created: 'yesterday' },
      },
      createdAt: '2026-11-21T09:59:00Z',
      description: 'd'.repeat(100_000),
      statuses: [
        {
          state: 'success',
          description: `Bake succeeded: ${'m'.repeat(200)}`,
          environmentUrl: `https://x.example/${'u'.repeat(10_000)}`,
          createdAt: '2026-11-21T09:59:30Z',
        },
      ],
    };
  }

  it("still gives downstream Environments a status the CRD accepts (today 'yesterday' reaches version.created)", () => {
    const l = ledger();
    const withHostile: Ledger = { ...l, deployments: [...l.deployments, hostile()] };
    const d = decideSync(
      interpretRequest(),
      { ledger: withHostile },
      { now: '2026-11-21T10:00:00Z', localEnvironmentUrl: LOCAL_URL, unconfirmedWindowMs: 40_000 },
    );
    const staging = d.status.environmentInfos?.find((i) => i.environment === 'staging');
    const entry = staging?.history?.find((e) => e.id === 99);
    expect(entry?.version.created).toBeUndefined();
    expect(Array.from(entry?.version.tag ?? '').length).toBe(255);
    expect(entry?.version.digest).toBe('sha256:\uFFFD');
    expect(entry?.message?.length).toBe(1024);
    expect(staging?.environmentUrl?.length).toBe(2048);
    const object = {
      apiVersion: 'environments.kuberik.com/v1alpha1',
      kind: 'Environment',
      metadata: { name: SELF, namespace: NS },
      spec: productionSpec(),
      status: { ...d.status, observedGeneration: 3 },
    };
    expect(validate(object)).toEqual({ valid: true, errors: [] });
  });
});
