import { carriedCreations, creationPending, liveCreations, untilTime } from '../../../src/core/unconfirmed.js';
import type { LedgerDeployment } from '../../../src/core/types.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const WINDOW = 45_000;
const REV_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const REV_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function deployment(id: number, revision: string): LedgerDeployment {
  return {
    nodeId: `DE_${id}`,
    environment: 'production',
    payload: { id, version: { tag: `v${id}`, revision } },
    createdAt: '2026-11-26T11:59:59Z',
    description: '',
    statuses: [],
  };
}

describe('liveCreations and creationPending', () => {
  const observed = [
    { id: 1, revision: REV_A, until: '2026-11-26T12:00:30Z' },
    { id: 2, revision: REV_A, until: '2026-11-26T12:00:00Z' },
    { id: 3, revision: REV_A, until: '2026-11-27T12:00:00Z' },
  ];

  test('keep entries whose until is ahead, within the window; an edited far-future until does not count', () => {
    expect(liveCreations(observed, NOW, WINDOW)).toEqual([observed[0]]);
  });

  test('match by history entry id and revision', () => {
    expect(creationPending(observed, { id: 1, revision: REV_A }, NOW, WINDOW)).toBe(true);
    expect(creationPending(observed, { id: 1, revision: REV_B }, NOW, WINDOW)).toBe(false);
    expect(creationPending(observed, { id: 2, revision: REV_A }, NOW, WINDOW)).toBe(false);
    expect(creationPending(observed, { id: 3, revision: REV_A }, NOW, WINDOW)).toBe(false);
    expect(creationPending(observed, { id: 1, revision: REV_A }, Date.parse('2026-11-26T12:00:30Z'), WINDOW)).toBe(false);
  });
});

describe('carriedCreations', () => {
  test('merges observed and added entries, one per entry with the latest until, ordered by id', () => {
    expect(
      carriedCreations({
        observed: [
          { id: 7, revision: REV_B, until: '2026-11-26T12:00:10Z' },
          { id: 5, revision: REV_A, until: '2026-11-26T12:00:20Z' },
        ],
        added: [
          { id: 7, revision: REV_B, until: '2026-11-26T12:00:40Z' },
          { id: 5, revision: REV_B, until: '2026-11-26T12:00:15Z' },
        ],
        nowMs: NOW,
        windowMs: WINDOW,
      }),
    ).toEqual([
      { id: 5, revision: REV_A, until: '2026-11-26T12:00:20Z' },
      { id: 5, revision: REV_B, until: '2026-11-26T12:00:15Z' },
      { id: 7, revision: REV_B, until: '2026-11-26T12:00:40Z' },
    ]);
  });

  test('drops entries GitHub now shows, and expired ones; keeps all live ones when GitHub was not read', () => {
    const observed = [
      { id: 5, revision: REV_A, until: '2026-11-26T12:00:20Z' },
      { id: 6, revision: REV_A, until: '2026-11-26T12:00:20Z' },
      { id: 4, revision: REV_A, until: '2026-11-26T11:59:59Z' },
    ];
    expect(carriedCreations({ observed, added: [], deployments: [deployment(5, REV_A)], nowMs: NOW, windowMs: WINDOW })).toEqual([observed[1]]);
    expect(carriedCreations({ observed, added: [], nowMs: NOW, windowMs: WINDOW })).toEqual([observed[0], observed[1]]);
  });
});

test('untilTime rounds up to whole seconds', () => {
  expect(untilTime(NOW)).toBe('2026-11-26T12:00:00Z');
  expect(untilTime(NOW + 1)).toBe('2026-11-26T12:00:01Z');
  expect(untilTime(NOW + 39_999)).toBe('2026-11-26T12:00:40Z');
});
