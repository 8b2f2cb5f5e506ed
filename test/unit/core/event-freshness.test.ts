import {
  DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS,
  EVENT_CLOCK_SKEW_MS,
  eventMarks,
  eventsFlowing,
  markIdentity,
  readIsRecentEnough,
  readNotBeforeMs,
} from '../../../src/core/event-freshness.js';
import { formatGithubEventAnnotation, GITHUB_EVENT_ANNOTATION, type GithubEventMark } from '../../../src/core/github-event.js';
import { environment, syncRequest } from '../../support/requests.js';

const AT = Date.parse('2026-12-06T05:00:00.000Z');

function marked(options: Parameters<typeof environment>[0], deliveryId: string, atMs: number) {
  const env = environment(options);
  env.metadata.annotations = { [GITHUB_EVENT_ANNOTATION]: formatGithubEventAnnotation(deliveryId, atMs) };
  return env;
}

describe('eventMarks', () => {
  const self = { application: 'my-app', owner: 'my-org', repo: 'my-repo' };

  it('takes the parent and the Environments of its application as ledger marks, every Environment of its repository as repository marks', () => {
    const request = syncRequest({
      parent: marked({ environment: 'production' }, 'parent', AT),
      siblings: [
        marked({ environment: 'staging', app: 'kuberik/my-app' }, 'sibling', AT + 1),
        marked({ name: 'other-app-dev', environment: 'dev', app: 'other-app' }, 'other-app', AT + 2),
        marked({ name: 'elsewhere-dev', environment: 'dev', project: 'my-org/other-repo' }, 'elsewhere', AT + 3),
        marked({ name: 'upper-case', environment: 'qa', project: 'My-Org/My-Repo' }, 'upper', AT + 4),
        environment({ name: 'unmarked', environment: 'dev' }),
      ],
    });
    const marks = eventMarks(request, self);
    expect(marks.ledger.map((m) => m.deliveryId).sort()).toEqual(['parent', 'sibling', 'upper']);
    expect(marks.repository.map((m) => m.deliveryId).sort()).toEqual(['other-app', 'parent', 'sibling', 'upper']);
  });

  it('ignores values the receiver does not write and Environments of other namespaces', () => {
    const parent = environment({ environment: 'production' });
    parent.metadata.annotations = { [GITHUB_EVENT_ANNOTATION]: 'not a mark' };
    const foreign = marked({ name: 'foreign', environment: 'staging' }, 'foreign', AT);
    foreign.metadata.namespace = 'other';
    expect(eventMarks(syncRequest({ parent, siblings: [foreign] }), self)).toEqual({ ledger: [], repository: [] });
  });
});

describe('readNotBeforeMs', () => {
  const mark = (deliveryId: string, atMs: number): GithubEventMark => ({ deliveryId, atMs });

  it('is undefined without marks: any read will do', () => {
    expect(readNotBeforeMs([], () => 0)).toBeUndefined();
    expect(readIsRecentEnough(0, undefined)).toBe(true);
  });

  it('is when the mark was first seen, or its time plus the clock skew allowance when that is sooner', () => {
    expect(EVENT_CLOCK_SKEW_MS).toBe(5000);
    expect(readNotBeforeMs([mark('d', AT)], () => AT + 2000)).toBe(AT + 2000);
    expect(readNotBeforeMs([mark('d', AT)], () => AT + 60_000)).toBe(AT + 5000);
  });

  it('is the latest over several marks', () => {
    const seen: Record<string, number> = { a: AT + 1000, b: AT + 3000 };
    expect(readNotBeforeMs([mark('a', AT), mark('b', AT - 10_000)], (m) => seen[m.deliveryId]!)).toBe(AT + 1000);
    expect(readNotBeforeMs([mark('a', AT), mark('b', AT + 500)], (m) => seen[m.deliveryId]!)).toBe(AT + 3000);
  });

  it('a read started at the bound is recent enough, one a millisecond before it is not', () => {
    expect(readIsRecentEnough(AT, AT)).toBe(true);
    expect(readIsRecentEnough(AT - 1, AT)).toBe(false);
  });

  it('marks are remembered by delivery id and time', () => {
    expect(markIdentity(mark('72d3162e', AT))).toBe(`72d3162e@${AT}`);
  });
});

describe('eventsFlowing', () => {
  const mark = (atMs: number): GithubEventMark => ({ deliveryId: 'd', atMs });

  it('is true when a mark of the repository is at most the window old, or from the future', () => {
    expect(DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS).toBe(3600);
    expect(eventsFlowing([mark(AT - 3_600_000)], AT, 3600)).toBe(true);
    expect(eventsFlowing([mark(AT + 2000)], AT, 3600)).toBe(true);
    expect(eventsFlowing([mark(AT - 3_600_001), mark(AT - 10)], AT, 3600)).toBe(true);
  });

  it('is false without a mark that recent, and always with a window of 0', () => {
    expect(eventsFlowing([], AT, 3600)).toBe(false);
    expect(eventsFlowing([mark(AT - 3_600_001)], AT, 3600)).toBe(false);
    expect(eventsFlowing([mark(AT)], AT, 0)).toBe(false);
  });
});
