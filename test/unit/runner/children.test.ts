import { ChildrenError, LAST_APPLIED_ANNOTATION, mergeValue, planChildren, prepareDesired } from '../../../src/runner/children.js';
import type { KubeObject } from '../../../src/runner/types.js';

const parent: KubeObject = {
  apiVersion: 'environments.kuberik.com/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'prod', namespace: 'team-a', uid: 'u-1', generation: 2 },
};
const OWNER = { apiVersion: 'environments.kuberik.com/v1alpha1', kind: 'Environment', name: 'prod', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const GATES = new Map([['RolloutGate.kuberik.com/v1alpha1', 'InPlace' as const]]);

const desiredGate = (allowed: string[], extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'kuberik.com/v1alpha1',
  kind: 'RolloutGate',
  metadata: { name: 'prod-gate', annotations: { 'gate.kuberik.com/pretty-name': 'After staging' }, ...extra },
  spec: { rolloutRef: { name: 'web' }, passing: true, allowedVersions: allowed },
});

/** What the API server would hold after the runner created the gate. */
function created(allowed: string[]): KubeObject {
  const [write] = planChildren(parent, [], [desiredGate(allowed)], GATES);
  return {
    ...write!.object,
    metadata: { ...write!.object.metadata, uid: 'g-1', resourceVersion: '5', creationTimestamp: '2026-11-26T10:00:00Z' },
    status: { observed: true },
  };
}

describe('prepareDesired', () => {
  it('defaults the namespace, adds the controller-uid label and records what was applied', () => {
    const prepared = prepareDesired(parent, { ...desiredGate([]), status: { ignored: true } });
    const applied = {
      apiVersion: 'kuberik.com/v1alpha1',
      kind: 'RolloutGate',
      metadata: {
        name: 'prod-gate',
        namespace: 'team-a',
        labels: { 'controller-uid': 'u-1' },
        annotations: { 'gate.kuberik.com/pretty-name': 'After staging' },
      },
      spec: { rolloutRef: { name: 'web' }, passing: true, allowedVersions: [] },
    };
    const { [LAST_APPLIED_ANNOTATION]: recorded, ...annotations } = prepared.metadata.annotations!;
    expect({ ...prepared, metadata: { ...prepared.metadata, annotations } }).toEqual(applied);
    expect(JSON.parse(recorded!)).toEqual(applied);
  });

  it('drops metadata the API server owns', () => {
    const prepared = prepareDesired(parent, desiredGate([], { uid: 'x', resourceVersion: '1', finalizers: ['f'], ownerReferences: [] }));
    expect(Object.keys(prepared.metadata).sort()).toEqual(['annotations', 'labels', 'name', 'namespace']);
  });

  it('refuses children in another namespace or with a foreign controller-uid label', () => {
    expect(() => prepareDesired(parent, desiredGate([], { namespace: 'team-b' }))).toThrow(
      new ChildrenError("child RolloutGate prod-gate: namespace team-b differs from the parent's (team-a)"),
    );
    expect(() => prepareDesired(parent, desiredGate([], { labels: { 'controller-uid': 'u-2' } }))).toThrow(
      new ChildrenError("labels on desired child RolloutGate prod-gate don't match the parent selector controller-uid=u-1"),
    );
  });
});

describe('mergeValue: three-way merge', () => {
  it('keeps keys others set, removes keys we set before and no longer want, replaces lists', () => {
    const observed = { a: 1, theirs: 'keep', nested: { ours: 1, dropped: 2, theirs: 3 }, list: [1, 2, 3] };
    const lastApplied = { a: 1, nested: { ours: 1, dropped: 2 }, list: [1, 2, 3] };
    const desired = { a: 2, nested: { ours: 5 }, list: [9] };
    expect(mergeValue(observed, lastApplied, desired)).toEqual({ a: 2, theirs: 'keep', nested: { ours: 5, theirs: 3 }, list: [9] });
  });

  it('without a previous configuration nothing is removed', () => {
    expect(mergeValue({ a: 1, b: 2 }, undefined, { a: 3 })).toEqual({ a: 3, b: 2 });
  });
});

describe('planChildren', () => {
  it('creates a missing child with a controller reference that blocks owner deletion', () => {
    const writes = planChildren(parent, [], [desiredGate([])], GATES);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.action).toBe('create');
    expect(writes[0]!.object.metadata.ownerReferences).toEqual([OWNER]);
    expect(writes[0]!.object.metadata.labels).toEqual({ 'controller-uid': 'u-1' });
  });

  it('writes nothing when the observed child already matches', () => {
    expect(planChildren(parent, [created(['v1'])], [desiredGate(['v1'])], GATES)).toEqual([]);
  });

  it('updates in place: new content, server fields, status and outside annotations kept', () => {
    const observed = created([]);
    observed.metadata.annotations = { ...observed.metadata.annotations, 'example.com/owner': 'someone-else' };
    const [write, ...rest] = planChildren(parent, [observed], [desiredGate(['v1.2.0'])], GATES);
    expect(rest).toEqual([]);
    expect(write!.action).toBe('update');
    expect(write!.object.spec).toEqual({ rolloutRef: { name: 'web' }, passing: true, allowedVersions: ['v1.2.0'] });
    expect(write!.object.status).toEqual({ observed: true });
    expect(write!.object.metadata).toMatchObject({ uid: 'g-1', resourceVersion: '5', creationTimestamp: '2026-11-26T10:00:00Z', ownerReferences: [OWNER] });
    expect(write!.object.metadata.annotations!['example.com/owner']).toBe('someone-else');
    expect(JSON.parse(write!.object.metadata.annotations![LAST_APPLIED_ANNOTATION]!).spec.allowedVersions).toEqual(['v1.2.0']);
  });

  it('removes an annotation it applied before once the hook stops returning it', () => {
    const observed = created([]);
    const desired = desiredGate([]);
    desired.metadata.annotations = {};
    const [write] = planChildren(parent, [observed], [desired], GATES);
    expect(write!.object.metadata.annotations!['gate.kuberik.com/pretty-name']).toBeUndefined();
  });

  it('deletes observed children that are no longer desired, but not those already being deleted', () => {
    const gone = created([]);
    const leaving = { ...created([]), metadata: { ...created([]).metadata, name: 'old-gate', deletionTimestamp: '2026-11-26T10:00:00Z' } };
    expect(planChildren(parent, [gone, leaving], [], GATES)).toEqual([{ action: 'delete', object: gone }]);
  });

  it('Recreate deletes a changed child (created again on the next sync); OnDelete leaves it', () => {
    const observed = created([]);
    expect(planChildren(parent, [observed], [desiredGate(['v1'])], new Map([['RolloutGate.kuberik.com/v1alpha1', 'Recreate' as const]]))).toEqual([
      { action: 'delete', object: observed },
    ]);
    expect(planChildren(parent, [observed], [desiredGate(['v1'])], new Map([['RolloutGate.kuberik.com/v1alpha1', 'OnDelete' as const]]))).toEqual([]);
  });

  it('adopts an orphan that carries the label, even under OnDelete', () => {
    const orphan = created([]);
    orphan.metadata.ownerReferences = [];
    const [write] = planChildren(parent, [orphan], [desiredGate([])], new Map([['RolloutGate.kuberik.com/v1alpha1', 'OnDelete' as const]]));
    expect(write!.action).toBe('update');
    expect(write!.object.metadata.ownerReferences).toEqual([OWNER]);
    expect(write!.object.spec).toEqual(orphan.spec);
  });

  it('refuses a child kind the controller does not declare', () => {
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    expect(() => planChildren(parent, [], [configMap], GATES)).toThrow(
      new ChildrenError("the hook returned a ConfigMap (v1), which is not one of the controller's childResources"),
    );
  });
});
