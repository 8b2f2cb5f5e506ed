/** Pure decisions about the parent: finalizer, status to write, which changes need a sync. */
import { canonicalJson } from '../core/canonical.js';
import type { KubeObject } from './types.js';

/** Garbage-collector finalizers: while present, Metacontroller leaves children alone. */
const GC_FINALIZERS = ['foregroundDeletion', 'orphan'];

export function finalizerName(controllerName: string): string {
  return `metacontroller.io/compositecontroller-${controllerName}`;
}

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata.finalizers ?? []).includes(finalizer);
}

export function isDeleting(object: KubeObject): boolean {
  return Boolean(object.metadata.deletionTimestamp);
}

/** The finalizer list after adding (`true`) or removing (`false`) ours; null when nothing changes. */
export function finalizersWith(object: KubeObject, finalizer: string, present: boolean): string[] | null {
  const current = object.metadata.finalizers ?? [];
  if (current.includes(finalizer) === present) return null;
  return present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
}

/**
 * Whether the finalizer must be added (`true`) or removed (`false`) before syncing, or left
 * alone (null): present exactly when a finalize hook exists, but never added to an object
 * that is already being deleted (the API server refuses new finalizers then).
 */
export function finalizerChange(parent: KubeObject, finalizer: string, hasFinalizeHook: boolean): boolean | null {
  if (hasFinalizer(parent, finalizer) === hasFinalizeHook) return null;
  if (hasFinalizeHook && isDeleting(parent)) return null;
  return hasFinalizeHook;
}

/**
 * Children are managed unless the parent is being deleted; while deleting, only as long as
 * our finalizer holds the object and no garbage-collector finalizer is in charge.
 */
export function shouldManageChildren(parent: KubeObject, finalizer: string): boolean {
  if (!isDeleting(parent)) return true;
  const finalizers = parent.metadata.finalizers ?? [];
  return finalizers.includes(finalizer) && !finalizers.some((f) => GC_FINALIZERS.includes(f));
}

/** The hook's status with `observedGeneration` set to the parent's generation (any sent value is overwritten). */
export function desiredStatus(status: Record<string, unknown> | null, generation: number | undefined): Record<string, unknown> {
  return { ...(status ?? {}), observedGeneration: generation ?? 0 };
}

export function statusDiffers(current: KubeObject, desired: Record<string, unknown>): boolean {
  return canonicalJson(current.status ?? null) !== canonicalJson(desired);
}

/**
 * Whether a parent update event should enqueue a sync. With `ignoreStatusChanges` only
 * changes of generation, labels, annotations, finalizers or deletion count.
 */
export function parentChangeNeedsSync(previous: KubeObject | undefined, next: KubeObject, ignoreStatusChanges: boolean): boolean {
  if (!previous) return true;
  if (!ignoreStatusChanges) return previous.metadata.resourceVersion !== next.metadata.resourceVersion;
  const watched = (o: KubeObject) =>
    canonicalJson([
      o.metadata.generation,
      o.metadata.labels ?? {},
      o.metadata.annotations ?? {},
      o.metadata.finalizers ?? [],
      o.metadata.deletionTimestamp ?? null,
    ]);
  return watched(previous) !== watched(next);
}
