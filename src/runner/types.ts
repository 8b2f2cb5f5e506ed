/** Shapes the runner works with: unstructured Kubernetes objects and the controller it emulates. */

import type { KubeObject, ResourceRef } from '../kube/types.js';

export type { KubeObject, ObjectMeta, OwnerReference, ResourceRef } from '../kube/types.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One entry of a /customize response (`relatedResources`). */
export interface RelatedResourceRule {
  apiVersion: string;
  resource: string;
  namespace?: string;
  names?: string[];
  labelSelector?: LabelSelector | null;
}

/** `<Kind>.<apiVersion>` → `<namespace>/<name>` (or `<name>`) → object: the v2 hook map. */
export type ObjectMap = Record<string, Record<string, KubeObject>>;

export type UpdateMethod = 'OnDelete' | 'Recreate' | 'InPlace';

export interface ChildRule extends ResourceRef {
  updateMethod: UpdateMethod;
}

export interface HookTarget {
  url: string;
  timeoutMs: number;
}

/** What the runner takes from a CompositeController manifest. */
export interface ControllerSettings {
  name: string;
  /** The CompositeController object as read; sent as `controller` in every hook request. */
  object: KubeObject;
  parent: ResourceRef & { ignoreStatusChanges: boolean };
  children: ChildRule[];
  hooks: { sync: HookTarget; finalize?: HookTarget; customize?: HookTarget };
  resyncPeriodSeconds?: number;
}

/** The parsed answer of /sync or /finalize. */
export interface SyncResult {
  status: Record<string, unknown> | null;
  children: KubeObject[];
  resyncAfterSeconds?: number;
  finalized: boolean;
}
