/**
 * What the GitHub event marks on Environments (core/github-event.ts) mean for a sync.
 *
 * A mark says: GitHub recorded something about this Environment's application before the
 * receiver accepted the delivery at `atMs` (receiver's clock). A read of GitHub that started
 * before then may not show it, so a sync that carries the mark must not use such a read.
 * Whether a read started "before" is known two ways:
 * - causally: this replica saw the mark (in a hook request) before the read started. The
 *   annotation existed, so the delivery had been accepted, so GitHub had the data. Immune to
 *   clock skew.
 * - by the clocks: the read started EVENT_CLOCK_SKEW_MS or more after the mark's time. The
 *   receiver's and this pod's clocks may differ by a few seconds (NTP keeps nodes within well
 *   under a second; the allowance covers a badly synced node), so a mark up to that much
 *   before a read's start still counts as newer.
 * Pure: no clock, no state. Which marks this replica saw first, and when, lives in the
 * ledger cache (github/ledger-cache.ts).
 */
import { GITHUB_EVENT_ANNOTATION, parseGithubEventAnnotation, type GithubEventMark } from './github-event.js';
import { objectsOf } from './interpret.js';
import { deploymentName, resolveIdentity } from './naming.js';
import { isPlainObject } from './payload.js';
import type { SyncRequest } from '../generated/hooks.js';

/** A mark up to this long before a read's start may still be newer than the read (receiver and service clocks differ). */
export const EVENT_CLOCK_SKEW_MS = 5_000;
/** EVENTS_FLOWING_WINDOW_SECONDS by default: a repository with an event in the last hour has its webhook working. */
export const DEFAULT_EVENTS_FLOWING_WINDOW_SECONDS = 3600;

const ENVIRONMENT_GVK = 'Environment.environments.kuberik.com/v1alpha1';

export interface EventMarks {
  /**
   * Marks of the Environments whose GitHub data this sync's decision uses: the parent and the
   * Environments of the same application and repository in the request (the ledger read is
   * per application, and it holds every environment's deployments: upstreams, siblings).
   */
  ledger: GithubEventMark[];
  /** Marks of every Environment of the same repository in the request, any application (events flowing there). */
  repository: GithubEventMark[];
}

export interface SyncIdentity {
  /** As the spec names it (`my-app` or `kuberik/my-app`). */
  application: string;
  owner: string;
  repo: string;
}

/** The GitHub event marks a sync request carries, on its parent and on the Environments related to it. */
export function eventMarks(request: SyncRequest, self: SyncIdentity): EventMarks {
  const marks: EventMarks = { ledger: [], repository: [] };
  const application = deploymentName(self.application);
  const project = `${self.owner}/${self.repo}`.toLowerCase();
  const parent = request.parent;
  const related = objectsOf(request.related, ENVIRONMENT_GVK, parent.metadata.namespace).filter((o) => o.metadata.name !== parent.metadata.name);
  for (const object of [parent, ...related]) {
    const mark = parseGithubEventAnnotation(object.metadata.annotations?.[GITHUB_EVENT_ANNOTATION]);
    if (!mark) continue;
    const spec = (object as { spec?: unknown }).spec;
    const isParent = object === parent;
    if (!isParent && !sameRepository(spec, project)) continue;
    marks.repository.push(mark);
    if (isParent || deploymentName(resolveIdentity(spec as Record<string, unknown>)?.application ?? '') === application) marks.ledger.push(mark);
  }
  return marks;
}

function sameRepository(spec: unknown, project: string): boolean {
  return isPlainObject(spec) && isPlainObject(spec.backend) && typeof spec.backend.project === 'string' && spec.backend.project.toLowerCase() === project;
}

/**
 * The earliest start a read may have to serve a sync that carries `marks`: for each mark,
 * when this replica first saw it or its time plus the skew allowance, whichever is sooner;
 * the latest of these over the marks. Undefined without marks (any read will do). A read
 * started in the millisecond the mark was first seen is newer than the event too: the
 * receiver's patch, the API server's watch and Metacontroller's request lie between them.
 */
export function readNotBeforeMs(marks: readonly GithubEventMark[], firstSeenMs: (mark: GithubEventMark) => number): number | undefined {
  let notBefore: number | undefined;
  for (const mark of marks) {
    const bound = Math.min(firstSeenMs(mark), mark.atMs + EVENT_CLOCK_SKEW_MS);
    notBefore = notBefore === undefined ? bound : Math.max(notBefore, bound);
  }
  return notBefore;
}

/** Whether a read that started at `startedAtMs` may serve a sync whose reads must start at or after `notBeforeMs`. */
export function readIsRecentEnough(startedAtMs: number, notBeforeMs: number | undefined): boolean {
  return notBeforeMs === undefined || startedAtMs >= notBeforeMs;
}

/**
 * Whether GitHub events demonstrably reach this cluster for a repository: one of its
 * Environments in the request carries a mark no older than `windowSeconds` by the service's
 * clock (a mark from the future, a receiver clock ahead, counts too). Never with a window of 0.
 */
export function eventsFlowing(repositoryMarks: readonly GithubEventMark[], nowMs: number, windowSeconds: number): boolean {
  return windowSeconds > 0 && repositoryMarks.some((mark) => nowMs - mark.atMs <= windowSeconds * 1000);
}

/** The identity a mark is remembered by: a delivery id is unique, the time tells replays apart. */
export function markIdentity(mark: GithubEventMark): string {
  return `${mark.deliveryId}@${mark.atMs}`;
}
