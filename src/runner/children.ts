/**
 * From the hook's desired children and the observed ones to a list of writes, the way
 * Metacontroller's dynamic apply does it: a three-way merge against the last configuration
 * the runner applied (kept in an annotation), so fields other writers set are preserved.
 */
import { canonicalJson } from '../core/canonical.js';
import { groupKey, isRecord, objectKey } from './hook-protocol.js';
import { CONTROLLER_UID_LABEL } from './selection.js';
import type { KubeObject, OwnerReference, UpdateMethod } from './types.js';

export const LAST_APPLIED_ANNOTATION = 'metacontroller.k8s.io/last-applied-configuration';

export class ChildrenError extends Error {
  override name = 'ChildrenError';
}

export type ChildWrite = { action: 'create'; object: KubeObject } | { action: 'update'; object: KubeObject } | { action: 'delete'; object: KubeObject };

/** Child kinds the controller manages: `<Kind>.<apiVersion>` → update method. */
export type ChildMethods = ReadonlyMap<string, UpdateMethod>;

export function controllerReference(parent: KubeObject): OwnerReference {
  return {
    apiVersion: parent.apiVersion,
    kind: parent.kind,
    name: parent.metadata.name,
    uid: parent.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The object the runner will write for one desired child: the parent's namespace when none
 * is given, the generated `controller-uid` label, the last-applied annotation; `status` and
 * metadata other than name, namespace, labels and annotations are dropped (the API server
 * and other controllers own them).
 */
export function prepareDesired(parent: KubeObject, desired: KubeObject): KubeObject {
  const namespace = desired.metadata.namespace || parent.metadata.namespace;
  if ((namespace ?? '') !== (parent.metadata.namespace ?? '')) {
    throw new ChildrenError(
      `child ${desired.kind} ${desired.metadata.name}: namespace ${namespace} differs from the parent's (${parent.metadata.namespace ?? 'cluster-scoped'})`,
    );
  }
  const uid = parent.metadata.uid ?? '';
  const labels = { ...(desired.metadata.labels ?? {}) };
  if (labels[CONTROLLER_UID_LABEL] === undefined) labels[CONTROLLER_UID_LABEL] = uid;
  else if (labels[CONTROLLER_UID_LABEL] !== uid) {
    throw new ChildrenError(`labels on desired child ${desired.kind} ${desired.metadata.name} don't match the parent selector ${CONTROLLER_UID_LABEL}=${uid}`);
  }
  const { status: _status, metadata, ...content } = desired;
  const applied: KubeObject = {
    ...content,
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    metadata: {
      name: metadata.name,
      ...(namespace ? { namespace } : {}),
      labels,
      ...(metadata.annotations ? { annotations: { ...metadata.annotations } } : {}),
    },
  };
  const annotations = { ...(applied.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: JSON.stringify(applied) };
  return { ...applied, metadata: { ...applied.metadata, annotations } };
}

/**
 * Three-way merge: maps merge key by key; keys that were applied last time but are no
 * longer desired are removed; everything else (scalars, lists) takes the desired value.
 */
export function mergeValue(observed: unknown, lastApplied: unknown, desired: unknown): unknown {
  if (!isRecord(desired) || !isRecord(observed)) return structuredClone(desired);
  const result: Record<string, unknown> = { ...observed };
  if (isRecord(lastApplied)) for (const key of Object.keys(lastApplied)) if (!(key in desired)) delete result[key];
  for (const [key, value] of Object.entries(desired)) result[key] = mergeValue(observed[key], isRecord(lastApplied) ? lastApplied[key] : undefined, value);
  return result;
}

function lastApplied(observed: KubeObject): Record<string, unknown> | undefined {
  const raw = observed.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The observed child updated towards `desired` (prepared), keeping server-owned fields and adopting it. */
export function mergeChild(observed: KubeObject, desired: KubeObject, owner: OwnerReference): KubeObject {
  const previous = lastApplied(observed) ?? {};
  const { metadata: desiredMeta, ...desiredContent } = desired;
  const { metadata: observedMeta, status, ...observedContent } = observed;
  const previousMeta = isRecord(previous.metadata) ? previous.metadata : {};
  const { metadata: _m, status: _s, ...previousContent } = previous;
  const content = mergeValue(observedContent, previousContent, desiredContent) as Record<string, unknown>;
  const metadata = {
    ...observedMeta,
    labels: mergeValue(observedMeta.labels ?? {}, previousMeta.labels, desiredMeta.labels ?? {}) as Record<string, string>,
    annotations: mergeValue(observedMeta.annotations ?? {}, previousMeta.annotations, desiredMeta.annotations ?? {}) as Record<string, string>,
    ownerReferences: withOwner(observedMeta.ownerReferences ?? [], owner),
  };
  return { ...content, metadata, ...(status === undefined ? {} : { status }) } as KubeObject;
}

function withOwner(references: OwnerReference[], owner: OwnerReference): OwnerReference[] {
  if (references.some((r) => r.uid === owner.uid && r.controller === true)) return references;
  return [...references.filter((r) => r.uid !== owner.uid), owner];
}

/**
 * The writes that turn `observed` into `desired`: create what is missing, update per the
 * child rule's method (InPlace: merge; Recreate: delete now, create on the next sync;
 * OnDelete: never), delete observed children that are no longer desired. Objects already
 * being deleted are left alone. Two desired objects with one identity: the last wins.
 */
export function planChildren(parent: KubeObject, observed: readonly KubeObject[], desired: readonly KubeObject[], methods: ChildMethods): ChildWrite[] {
  const owner = controllerReference(parent);
  const identity = (o: KubeObject) => `${groupKey(o.kind, o.apiVersion)} ${objectKey(o)}`;
  const wanted = new Map<string, KubeObject>();
  for (const raw of desired) {
    if (!methods.has(groupKey(raw.kind, raw.apiVersion))) {
      throw new ChildrenError(`the hook returned a ${raw.kind} (${raw.apiVersion}), which is not one of the controller's childResources`);
    }
    const prepared = prepareDesired(parent, raw);
    wanted.set(identity(prepared), prepared);
  }
  const seen = new Map(observed.map((o) => [identity(o), o]));
  const writes: ChildWrite[] = [];
  for (const [key, child] of seen) {
    if (!wanted.has(key) && !child.metadata.deletionTimestamp) writes.push({ action: 'delete', object: child });
  }
  for (const [key, want] of wanted) {
    const have = seen.get(key);
    if (!have) {
      writes.push({ action: 'create', object: { ...want, metadata: { ...want.metadata, ownerReferences: [owner] } } });
      continue;
    }
    if (have.metadata.deletionTimestamp) continue;
    const method = methods.get(groupKey(want.kind, want.apiVersion));
    const merged = mergeChild(have, want, owner);
    if (canonicalJson(merged) === canonicalJson(have)) continue;
    if (method === 'InPlace') writes.push({ action: 'update', object: merged });
    else if (method === 'Recreate') writes.push({ action: 'delete', object: have });
    else if (!have.metadata.ownerReferences?.some((r) => r.uid === owner.uid && r.controller === true)) {
      // OnDelete never changes content, but an orphan carrying our label is still adopted.
      writes.push({
        action: 'update',
        object: { ...have, metadata: { ...have.metadata, ownerReferences: withOwner(have.metadata.ownerReferences ?? [], owner) } },
      });
    }
  }
  return writes;
}
