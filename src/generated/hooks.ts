/* Generated from schemas/hooks.schema.json by `npm run generate`. Do not edit. */

/**
 * Metacontroller CompositeController hook requests and responses (hook version v2).
 */
export interface HookShapes {
  [k: string]: unknown;
}
/**
 * The parent as the hook envelope requires it; its spec is checked separately so that a bad spec becomes a condition, not a 4xx.
 *
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "EnvironmentParent".
 */
export interface EnvironmentParent {
  apiVersion: 'environments.kuberik.com/v1alpha1';
  kind: 'Environment';
  metadata: ObjectMeta & {};
  spec?: {};
  status?: {};
}
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
 * Body of POST /sync and POST /finalize.
 *
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "SyncRequest".
 */
export interface SyncRequest {
  controller?: {};
  parent: EnvironmentParent;
  children?: ObjectMap;
  related?: ObjectMap;
  finalizing?: boolean;
}
/**
 * Metacontroller's children/related map: "<Kind>.<apiVersion>" -> key -> object. The key is "<namespace>/<name>" in the v2 format (Metacontroller v4.15+ with hooks at version v2) and the bare name in the v1 format (earlier releases, or version v1); objects are found by their metadata, never by key.
 */
export interface ObjectMap {
  [k: string]: {
    [k: string]: KubernetesObject;
  };
}
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}
/**
 * Metacontroller v2 parses this strictly: no other top-level keys.
 *
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "SyncResponse".
 */
export interface SyncResponse {
  status: {};
  children: KubernetesObject[];
  resyncAfterSeconds?: number;
  finalized?: boolean;
}
/**
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "CustomizeRequest".
 */
export interface CustomizeRequest {
  controller?: {};
  parent: EnvironmentParent;
}
/**
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "RelatedResourceRule".
 */
export interface RelatedResourceRule {
  apiVersion: string;
  resource: string;
  namespace: string;
  names?: string[];
  labelSelector?: {
    matchLabels?: {
      [k: string]: string;
    };
  };
}
/**
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "CustomizeResponse".
 */
export interface CustomizeResponse {
  relatedResources: RelatedResourceRule[];
}
/**
 * One GitHub write that a dry run would have made.
 *
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "GitHubWrite".
 */
export interface GitHubWrite {
  /**
   * CreateDeployment (REST, followed by its first status) or PostDeploymentStatus (GraphQL).
   */
  operation: 'CreateDeployment' | 'PostDeploymentStatus';
  /**
   * The GitHub request, e.g. `POST /repos/my-org/my-repo/deployments` or `mutation createDeploymentStatus`.
   */
  request: string;
  /**
   * The Rollout history entry (payload id and revision) the write is about.
   */
  entry: {
    id: number;
    revision: string;
  };
  /**
   * GraphQL node id of the existing deployment a status goes to.
   */
  deploymentId?: string;
  /**
   * REST body of the deployment to create.
   */
  body?: {};
  /**
   * The deployment status to post.
   */
  status: {
    state: string;
    description: string;
    environmentUrl: string;
  };
}
/**
 * Answer of POST /sync?dryRun=true and /finalize?dryRun=true (for people, not Metacontroller): the desired state as if the writes had succeeded, and the GitHub writes that were not made.
 *
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "DryRunResponse".
 */
export interface DryRunResponse {
  status: {};
  children: KubernetesObject[];
  resyncAfterSeconds?: number;
  finalized?: boolean;
  githubWrites: GitHubWrite[];
}
/**
 * Every 4xx/5xx body. `error` is a stable machine-readable code.
 *
 * This interface was referenced by `HookShapes`'s JSON-Schema
 * via the `definition` "ErrorResponse".
 */
export interface ErrorResponse {
  error: string;
  message: string;
  details: {
    field: string;
    problem: string;
  }[];
}
