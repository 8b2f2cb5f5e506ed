/* Generated from schemas/kubernetes.schema.json by `npm run generate`. Do not edit. */

/**
 * The parts of Kubernetes objects that the hooks read or write. Unknown fields are allowed: the API server owns them.
 */
export interface KubernetesShapes {
  [k: string]: unknown;
}
/**
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "ObjectMeta".
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  labels?: {
    [k: string]: string;
  };
  annotations?: {
    [k: string]: string;
  };
}
/**
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "KubernetesObject".
 */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}
/**
 * Metacontroller's children/related map: "<Kind>.<apiVersion>" -> key -> object. The key is "<namespace>/<name>" in the v2 format (Metacontroller v4.15+ with hooks at version v2) and the bare name in the v1 format (earlier releases, or version v1); objects are found by their metadata, never by key.
 *
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "ObjectMap".
 */
export interface ObjectMap {
  [k: string]: {
    [k: string]: KubernetesObject;
  };
}
/**
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "Secret".
 */
export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  data?: {
    [k: string]: string;
  };
  stringData?: {
    [k: string]: string;
  };
}
/**
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "RolloutVersionInfo".
 */
export interface RolloutVersionInfo {
  tag: string;
  revision?: string;
  digest?: string;
  version?: string;
  created?: string;
}
/**
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "RolloutHistoryEntry".
 */
export interface RolloutHistoryEntry {
  id?: number;
  version: RolloutVersionInfo;
  timestamp?: string;
  message?: string;
  bakeStatus?: string;
  bakeStatusMessage?: string;
  bakeStartTime?: string;
  bakeEndTime?: string;
}
/**
 * kuberik.com/v1alpha1 Rollout: only the fields environment-sync reads.
 *
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "Rollout".
 */
export interface Rollout {
  apiVersion: 'kuberik.com/v1alpha1';
  kind: 'Rollout';
  metadata: ObjectMeta;
  status?: {
    history?: RolloutHistoryEntry[];
    releaseCandidates?: RolloutVersionInfo[];
  };
}
/**
 * kuberik.com/v1alpha1 RolloutGate as environment-sync writes it.
 *
 * This interface was referenced by `KubernetesShapes`'s JSON-Schema
 * via the `definition` "RolloutGate".
 */
export interface RolloutGate {
  apiVersion: 'kuberik.com/v1alpha1';
  kind: 'RolloutGate';
  metadata: {
    name: string;
    namespace?: string;
    annotations?: {
      [k: string]: string;
    };
  };
  spec: {
    rolloutRef: {
      name: string;
    };
    passing: boolean;
    allowedVersions?: string[];
  };
}
