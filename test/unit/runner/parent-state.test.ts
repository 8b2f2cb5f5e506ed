import { backoffMs, retryAfterMs } from '../../../src/kube/backoff.js';
import {
  desiredStatus,
  finalizerChange,
  finalizerName,
  finalizersWith,
  parentChangeNeedsSync,
  shouldManageChildren,
  statusDiffers,
} from '../../../src/runner/parent-state.js';
import type { KubeObject } from '../../../src/runner/types.js';

const FINALIZER = finalizerName('environment-sync');
const env = (metadata: Partial<KubeObject['metadata']> = {}, status?: unknown): KubeObject => ({
  apiVersion: 'environments.kuberik.com/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'prod', namespace: 'team-a', generation: 3, resourceVersion: '10', ...metadata },
  ...(status === undefined ? {} : { status }),
});

describe('finalizer', () => {
  it('is named after the CompositeController', () => {
    expect(FINALIZER).toBe('metacontroller.io/compositecontroller-environment-sync');
  });

  it.each<[string, Partial<KubeObject['metadata']>, boolean, boolean | null]>([
    ['added when a finalize hook exists', {}, true, true],
    ['kept when present', { finalizers: [FINALIZER] }, true, null],
    ['not added while deleting', { deletionTimestamp: '2026-11-26T10:00:00Z' }, true, null],
    ['removed without a finalize hook', { finalizers: ['other', FINALIZER] }, false, false],
    ['removed without a finalize hook even while deleting', { finalizers: [FINALIZER], deletionTimestamp: '2026-11-26T10:00:00Z' }, false, false],
    ['nothing to do without hook or finalizer', {}, false, null],
  ])('%s', (_name, metadata, hasHook, expected) => {
    expect(finalizerChange(env(metadata), FINALIZER, hasHook)).toBe(expected);
  });

  it('edits the list keeping other finalizers in order', () => {
    expect(finalizersWith(env({ finalizers: ['a'] }), FINALIZER, true)).toEqual(['a', FINALIZER]);
    expect(finalizersWith(env({ finalizers: ['a', FINALIZER, 'b'] }), FINALIZER, false)).toEqual(['a', 'b']);
    expect(finalizersWith(env({ finalizers: ['a'] }), FINALIZER, false)).toBeNull();
  });

  it.each<[string, Partial<KubeObject['metadata']>, boolean]>([
    ['not deleting', {}, true],
    ['deleting, our finalizer holds it', { deletionTimestamp: 'x', finalizers: [FINALIZER] }, true],
    ['deleting, finalizer removed', { deletionTimestamp: 'x', finalizers: [] }, false],
    ['deleting in the foreground', { deletionTimestamp: 'x', finalizers: [FINALIZER, 'foregroundDeletion'] }, false],
    ['deleting with orphan', { deletionTimestamp: 'x', finalizers: ['orphan', FINALIZER] }, false],
  ])('children are managed when %s: %s', (_name, metadata, expected) => {
    expect(shouldManageChildren(env(metadata), FINALIZER)).toBe(expected);
  });
});

describe('status', () => {
  it('is the hook status with observedGeneration set to the parent generation (overriding the hook)', () => {
    expect(desiredStatus({ a: 1, observedGeneration: 99 }, 3)).toEqual({ a: 1, observedGeneration: 3 });
    expect(desiredStatus(null, 3)).toEqual({ observedGeneration: 3 });
  });

  it('is written only when it differs from the observed one, key order aside', () => {
    expect(statusDiffers(env({}, { b: [1, 2], a: { y: 1, x: 2 }, observedGeneration: 3 }), { observedGeneration: 3, a: { x: 2, y: 1 }, b: [1, 2] })).toBe(
      false,
    );
    expect(statusDiffers(env({}, { b: [2, 1], observedGeneration: 3 }), { b: [1, 2], observedGeneration: 3 })).toBe(true);
    expect(statusDiffers(env(), { observedGeneration: 3 })).toBe(true);
  });
});

describe('which parent updates trigger a sync', () => {
  it('any new resourceVersion, normally', () => {
    expect(parentChangeNeedsSync(undefined, env(), false)).toBe(true);
    expect(parentChangeNeedsSync(env(), env(), false)).toBe(false);
    expect(parentChangeNeedsSync(env(), env({ resourceVersion: '11' }, { x: 1 }), false)).toBe(true);
  });

  it('with ignoreStatusChanges, only generation, labels, annotations, finalizers and deletion', () => {
    expect(parentChangeNeedsSync(env(), env({ resourceVersion: '11' }, { x: 1 }), true)).toBe(false);
    expect(parentChangeNeedsSync(env(), env({ resourceVersion: '11', generation: 4 }), true)).toBe(true);
    expect(parentChangeNeedsSync(env(), env({ resourceVersion: '11', labels: { a: 'b' } }), true)).toBe(true);
    expect(parentChangeNeedsSync(env(), env({ resourceVersion: '11', deletionTimestamp: 'x' }), true)).toBe(true);
  });
});

describe('retry timing', () => {
  const policy = { baseMs: 500, maxMs: 60_000 };
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 8, 1000].map((n) => backoffMs(n, policy))).toEqual([0, 500, 1000, 2000, 4000, 60_000, 60_000]);
  });

  it('reads Retry-After as seconds or an HTTP date; absent or unreadable means now', () => {
    const now = new Date('2026-11-26T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 26 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBe(0);
  });
});
