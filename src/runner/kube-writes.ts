/**
 * The runner's writes, each as Metacontroller makes it: GET-modify-PUT with retries on
 * conflict for the parent's finalizers and status; child writes where "already exists",
 * "changed meanwhile" and "gone" are left to the next sync.
 */
import type { ChildWrite } from './children.js';
import { isAlreadyExists, isConflict, isNotFound, type KubeApi, type ResourceInfo } from '../kube/api.js';
import { finalizersWith, statusDiffers } from './parent-state.js';
import type { KubeObject } from './types.js';

/** Attempts of one GET-modify-PUT before leaving it to the next sync. */
const WRITE_ATTEMPTS = 5;

/** Adds or removes a finalizer; returns the parent as written (or unchanged), null when it is gone. */
export async function setFinalizer(api: KubeApi, info: ResourceInfo, parent: KubeObject, finalizer: string, present: boolean): Promise<KubeObject | null> {
  for (let attempt = 1; ; attempt++) {
    let fresh: KubeObject;
    try {
      fresh = await api.get(info, parent.metadata.namespace, parent.metadata.name);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const finalizers = finalizersWith(fresh, finalizer, present);
    if (finalizers === null) return fresh;
    try {
      return await api.replace(info, { ...fresh, metadata: { ...fresh.metadata, finalizers } });
    } catch (error) {
      if (isNotFound(error)) return null;
      if (!isConflict(error) || attempt >= WRITE_ATTEMPTS) throw error;
    }
  }
}

/**
 * Replaces `.status` through the status subresource when it differs from a fresh read.
 * Returns false when it gave up on conflicts (Metacontroller too leaves that to the next sync).
 */
export async function writeStatus(api: KubeApi, info: ResourceInfo, parent: KubeObject, status: Record<string, unknown>): Promise<boolean> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    try {
      const fresh = await api.get(info, parent.metadata.namespace, parent.metadata.name);
      if (statusDiffers(fresh, status)) await api.replaceStatus(info, { ...fresh, status });
      return true;
    } catch (error) {
      if (isNotFound(error)) return true;
      if (!isConflict(error)) throw error;
    }
  }
  return false;
}

export async function applyChild(api: KubeApi, info: ResourceInfo, write: ChildWrite): Promise<void> {
  try {
    if (write.action === 'create') await api.create(info, write.object);
    else if (write.action === 'update') await api.replace(info, write.object);
    else await api.delete(info, write.object);
  } catch (error) {
    // An existing object is not ours to take over; a child that changed or vanished
    // meanwhile is handled on the next sync.
    if (write.action === 'create' && isAlreadyExists(error)) return;
    if (write.action !== 'create' && (isNotFound(error) || isConflict(error))) return;
    throw error;
  }
}
