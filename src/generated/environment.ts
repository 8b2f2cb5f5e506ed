/* Generated from schemas/environment.schema.json by `npm run generate`. Do not edit. */

/**
 * Environment is the Schema for the environments API
 */
export interface Environment {
  /**
   * APIVersion defines the versioned schema of this representation of an object.
   * Servers should convert recognized schemas to the latest internal value, and
   * may reject unrecognized values.
   * More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
   */
  apiVersion?: string;
  /**
   * Kind is a string value representing the REST resource this object represents.
   * Servers may infer this from the endpoint the client submits requests to.
   * Cannot be updated.
   * In CamelCase.
   * More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
   */
  kind?: string;
  /**
   * Standard object's metadata.
   * More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata
   */
  metadata?: {};
  spec: EnvironmentSpec;
  status?: EnvironmentStatus;
}
/**
 * spec defines the desired state of Environment
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "EnvironmentSpec".
 */
export interface EnvironmentSpec {
  backend: Backend;
  /**
   * Environment is the environment name (e.g., "production", "staging"). Optional: without it, spec.name is the environment and spec.rolloutRef.name the application (the form kuberik's docs show); both forms name the same GitHub records.
   */
  environment?: string;
  /**
   * Name is the name of the GitHub deployment (the "kuberik" prefix will be automatically added for GitHub backend if not already present) when spec.environment is set; without spec.environment it is the environment name and the application is spec.rolloutRef.name.
   */
  name: string;
  relationship?: Relationship;
  /**
   * RequeueInterval specifies how often the controller should reconcile this Environment
   * If not specified, defaults to 1 minute. Must be a valid duration string (e.g., "1m", "30s", "5m").
   */
  requeueInterval?: string;
  rolloutRef: LocalObjectReference;
}
/**
 * Backend contains backend-specific configuration
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "Backend".
 */
export interface Backend {
  /**
   * Project is the project identifier (backend-specific format, e.g., "owner/repo" for GitHub)
   */
  project: string;
  /**
   * Secret is the name of the Kubernetes Secret containing the backend authentication token
   */
  secret?: string;
  /**
   * Type specifies the backend to use (e.g., "github")
   */
  type: 'github';
}
/**
 * Relationship defines how this environment relates to another environment
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "Relationship".
 */
export interface Relationship {
  /**
   * Environment is the environment name this environment relates to
   */
  environment: string;
  /**
   * Type is the type of relationship: "After" or "Parallel"
   */
  type: 'After' | 'Parallel';
}
/**
 * RolloutRef is a reference to the Rollout that this Environment manages
 */
export interface LocalObjectReference {
  /**
   * Name of the referent (an object in the same namespace).
   */
  name?: string;
}
/**
 * status defines the observed state of Environment
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "EnvironmentStatus".
 */
export interface EnvironmentStatus {
  /**
   * Application is the resolved application on the backend, with the kuberik/ prefix (e.g. "kuberik/my-app"): spec.name when spec.environment is set, else spec.rolloutRef.name.
   */
  application?: string;
  /**
   * Environment is the resolved environment name (e.g. "production"): spec.environment when set, else spec.name.
   */
  environment?: string;
  /**
   * conditions represent the current state of the Environment resource.
   * Each condition has a unique type and reflects the status of a specific aspect of the resource.
   *
   * Standard condition types include:
   * - "Available": the resource is fully functional
   * - "Progressing": the resource is being created or updated
   * - "Degraded": the resource failed to reach or maintain its desired state
   *
   * The status of each condition is one of True, False, or Unknown.
   */
  conditions?: Condition[];
  /**
   * CurrentVersion is the current version being deployed
   */
  currentVersion?: string;
  /**
   * CurrentTag is the tag of the current version (the Rollout history entry whose revision is currentVersion), e.g. "v1.2.0": what `kubectl get environments` shows as VERSION. The revision stays in currentVersion (the REVISION column of `-o wide`).
   */
  currentTag?: string;
  /**
   * EnvironmentInfos tracks deployment information for each environment.
   * Each environment has environment URL and relationships (not per version).
   */
  environmentInfos?: EnvironmentInfo[];
  /**
   * LastStatusChangeTime is the last time the status was updated (only updated when status changes)
   */
  lastStatusChangeTime?: string;
  rolloutGateRef?: LocalObjectReference1;
  /**
   * ObservedGeneration is the .metadata.generation of the Environment that this status was computed from (set by Metacontroller).
   */
  observedGeneration?: number;
  /**
   * UnconfirmedCreations lists GitHub deployment creations of this environment's history entries that got no answer before the hook had to reply: GitHub may still record them until `until`, so no sync (on any replica of environment-sync, or after a restart) creates them again before then. Written by environment-sync; entries leave once the deployment shows on GitHub or `until` has passed.
   */
  unconfirmedCreations?: UnconfirmedCreation[];
}
/**
 * Condition contains details for one aspect of the current state of this API Resource.
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "Condition".
 */
export interface Condition {
  /**
   * lastTransitionTime is the last time the condition transitioned from one status to another.
   * This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.
   */
  lastTransitionTime: string;
  /**
   * message is a human readable message indicating details about the transition.
   * This may be an empty string.
   */
  message: string;
  /**
   * observedGeneration represents the .metadata.generation that the condition was set based upon.
   * For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date
   * with respect to the current state of the instance.
   */
  observedGeneration?: number;
  /**
   * reason contains a programmatic identifier indicating the reason for the condition's last transition.
   * Producers of specific condition types may define expected values and meanings for this field,
   * and whether the values are considered a guaranteed API.
   * The value should be a CamelCase string.
   * This field may not be empty.
   */
  reason: string;
  /**
   * status of the condition, one of True, False, Unknown.
   */
  status: 'True' | 'False' | 'Unknown';
  /**
   * type of condition in CamelCase or in foo.example.com/CamelCase.
   */
  type: string;
}
/**
 * EnvironmentInfo represents information about an environment's deployment.
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "EnvironmentInfo".
 */
export interface EnvironmentInfo {
  /**
   * Environment is the environment name
   */
  environment: string;
  /**
   * EnvironmentURL is the URL of the actual deployed environment (e.g., dashboard URL)
   */
  environmentUrl?: string;
  /**
   * History contains deployment history entries for this environment, newest first. environment-sync keeps at most 20 entries per environment (one per tag): the newest ones, and in the upstream environment of a gated Environment the newest entry of each release candidate first, so the status stays small however long the GitHub history grows.
   */
  history?: DeploymentHistoryEntry[];
  relationship?: Relationship;
}
/**
 * DeploymentHistoryEntry represents a single entry in the deployment history.
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "DeploymentHistoryEntry".
 */
export interface DeploymentHistoryEntry {
  /**
   * BakeEndTime is the time when the bake period ended for this deployment
   * This is when the bake process completed (either successfully or with failure).
   */
  bakeEndTime?: string;
  /**
   * BakeStartTime is the time when the bake period started for this deployment
   * This is when the rollout controller began monitoring the deployment for stability.
   */
  bakeStartTime?: string;
  /**
   * BakeStatus tracks the bake state for this deployment (e.g., None, InProgress, Succeeded, Failed, Cancelled)
   * The bake process ensures that the deployment is stable and healthy before marking as successful.
   */
  bakeStatus?: string;
  /**
   * BakeStatusMessage provides details about the bake state for this deployment
   * This field contains human-readable information about why the bake status is what it is.
   */
  bakeStatusMessage?: string;
  /**
   * FailedHealthChecks contains all health checks that failed during bake.
   * This field is populated when bake fails due to health check errors.
   *
   * Items: FailedHealthCheck represents a health check that failed during bake.
   */
  failedHealthChecks?: {
    /**
     * Message is the error message from the health check.
     */
    message?: string;
    /**
     * Name is the name of the health check.
     */
    name: string;
    /**
     * Namespace is the namespace of the health check.
     */
    namespace: string;
  }[];
  /**
   * ID is a unique auto-incrementing identifier for this history entry.
   */
  id?: number;
  /**
   * Message provides a descriptive message about this deployment entry
   * This field contains human-readable information about the deployment context.
   * For automatic deployments, it includes information about gate bypass and failed bake unblock.
   * For manual deployments (when wantedVersion is specified), it can contain a custom message
   * provided via the "rollout.kuberik.com/deployment-message" annotation, or defaults to "Manual deployment".
   */
  message?: string;
  /**
   * Timestamp is the time when the deployment occurred.
   */
  timestamp: string;
  /**
   * TriggeredBy indicates what triggered this deployment.
   * Kind can be "User" for manual deployments triggered by a user, or "System" for automatic deployments.
   * Name contains the name of the user or system that triggered the deployment.
   * For user-triggered deployments, this is extracted from the "rollout.kuberik.com/deploy-user" annotation.
   * For system-triggered deployments, this is typically "rollout-controller".
   */
  triggeredBy?: {
    /**
     * Kind indicates the type of trigger: "User" for manual deployments triggered by a user,
     * or "System" for automatic deployments triggered by the rollout controller.
     */
    kind: 'User' | 'System';
    /**
     * Name contains the name of the user or system that triggered the deployment.
     * For user-triggered deployments, this is extracted from the "rollout.kuberik.com/deploy-user" annotation.
     * For system-triggered deployments, this is typically "rollout-controller".
     */
    name: string;
  };
  version: VersionInfo;
}
/**
 * Version is the version information that was deployed.
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "VersionInfo".
 */
export interface VersionInfo {
  /**
   * Created is the creation timestamp extracted from OCI annotations if available.
   */
  created?: string;
  /**
   * Digest is the image digest if available from the ImagePolicy.
   */
  digest?: string;
  /**
   * Revision is the revision information extracted from OCI annotations if available.
   */
  revision?: string;
  /**
   * Tag is the image tag (e.g., "v1.2.3", "latest").
   */
  tag: string;
  /**
   * Version is the semantic version extracted from OCI annotations if available.
   */
  version?: string;
}
/**
 * RolloutGateRef is a reference to the RolloutGate that was created/updated
 */
export interface LocalObjectReference1 {
  /**
   * Name of the referent (an object in the same namespace).
   */
  name?: string;
}
/**
 * A GitHub deployment creation whose outcome is not known yet.
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "UnconfirmedCreation".
 */
export interface UnconfirmedCreation {
  /**
   * ID of the Rollout history entry the deployment is for.
   */
  id: number;
  /**
   * Revision of that history entry (the deployment's ref).
   */
  revision: string;
  /**
   * Until when GitHub may still record the creation: the creation's request timeout plus GitHub's 10-second processing limit.
   */
  until: string;
}
/**
 * LocalObjectReference refers to an object by name in the same namespace as the Environment.
 *
 * This interface was referenced by `Environment`'s JSON-Schema
 * via the `definition` "LocalObjectReference".
 */
export interface LocalObjectReference2 {
  /**
   * Name of the referent (an object in the same namespace).
   */
  name?: string;
}
