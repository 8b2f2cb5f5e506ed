/** Shapes of the Kubernetes client: unstructured objects as the API server returns them. */
import type { ObjectMeta as HookObjectMeta } from '../generated/kubernetes.js';

/** The hooks' ObjectMeta (schemas/kubernetes.schema.json) plus what the runner itself writes. */
export interface ObjectMeta extends HookObjectMeta {
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** An object as the API server returns it; the client never narrows it beyond metadata. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A resource named by `apiVersion` and plural `resource` (as in a CompositeController). */
export interface ResourceRef {
  apiVersion: string;
  resource: string;
}

/** What one list (or list+watch) covers: a namespace ('' for all) and optional selectors. */
export interface ListScope {
  namespace: string;
  fieldSelector: string;
  labelSelector: string;
}
