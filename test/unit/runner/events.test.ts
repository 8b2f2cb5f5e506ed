import { EventLimiter, syncErrorEvent } from '../../../src/runner/events.js';
import type { KubeObject } from '../../../src/runner/types.js';

const parent: KubeObject = {
  apiVersion: 'environments.kuberik.com/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'prod', namespace: 'team-a', uid: 'u-1', resourceVersion: '42' },
};

describe('syncErrorEvent', () => {
  it('is a Warning SyncError on the parent, named and timed from the clock', () => {
    const now = new Date('2026-11-26T10:00:00.750Z');
    expect(syncErrorEvent(parent, 'unsupported status code: 500 body: {}', now)).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `prod.${now.getTime().toString(16)}`, namespace: 'team-a' },
      involvedObject: {
        apiVersion: 'environments.kuberik.com/v1alpha1',
        kind: 'Environment',
        name: 'prod',
        namespace: 'team-a',
        uid: 'u-1',
        resourceVersion: '42',
      },
      reason: 'SyncError',
      message: 'Sync error: unsupported status code: 500 body: {}',
      type: 'Warning',
      source: { component: 'environment-sync-runner' },
      firstTimestamp: '2026-11-26T10:00:00Z',
      lastTimestamp: '2026-11-26T10:00:00Z',
      count: 1,
    });
  });

  it('keeps messages to 1024 characters and puts cluster-scoped parents in default', () => {
    const event = syncErrorEvent({ ...parent, metadata: { name: 'global', uid: 'u-2' } }, 'x'.repeat(5000), new Date(0));
    expect((event.message as string).length).toBe(1024);
    expect(event.metadata.namespace).toBe('default');
    expect(event.involvedObject).toEqual({ apiVersion: parent.apiVersion, kind: 'Environment', name: 'global', uid: 'u-2', resourceVersion: undefined });
  });
});

describe('EventLimiter', () => {
  it('allows a burst per key, then one per interval', () => {
    const limiter = new EventLimiter(2, 1000);
    expect([limiter.allow('a', 0), limiter.allow('a', 0), limiter.allow('a', 0)]).toEqual([true, true, false]);
    expect(limiter.allow('b', 0)).toBe(true);
    expect([500, 1000, 1500, 2000].map((t) => limiter.allow('a', t))).toEqual([false, true, false, true]);
  });

  it('starts afresh for a forgotten key', () => {
    const limiter = new EventLimiter(1, 1000);
    expect([limiter.allow('a', 0), limiter.allow('a', 0)]).toEqual([true, false]);
    limiter.forget('a');
    expect(limiter.allow('a', 0)).toBe(true);
  });
});
