/** /customize: which related objects Metacontroller sends with each sync. */
import type { CustomizeRequest, CustomizeResponse, RelatedResourceRule } from '../generated/hooks.js';
import { DEFAULT_SECRET_NAME } from '../core/interpret.js';
import { isPlainObject } from '../core/payload.js';

/**
 * The Rollout and the token Secret by name (never every Secret in the namespace) and the
 * sibling Environments of the namespace. `namespace` is always set: with v2 hooks a rule
 * without it would match objects in every namespace.
 */
export interface DashboardDiscovery {
  namespace: string;
  kinds: readonly ('ingress' | 'httproute')[];
}

export function relatedResources(request: CustomizeRequest, dashboard?: DashboardDiscovery): CustomizeResponse {
  const namespace = request.parent.metadata.namespace!;
  const spec = isPlainObject(request.parent.spec) ? request.parent.spec : {};
  const rules: RelatedResourceRule[] = [];
  const rolloutRef = spec.rolloutRef;
  if (isPlainObject(rolloutRef) && typeof rolloutRef.name === 'string' && rolloutRef.name) {
    rules.push({ apiVersion: 'kuberik.com/v1alpha1', resource: 'rollouts', namespace, names: [rolloutRef.name] });
  }
  const backend = spec.backend;
  const secret = isPlainObject(backend) && typeof backend.secret === 'string' && backend.secret ? backend.secret : DEFAULT_SECRET_NAME;
  rules.push({ apiVersion: 'v1', resource: 'secrets', namespace, names: [secret] });
  rules.push({ apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments', namespace });
  if (dashboard?.namespace) {
    if (dashboard.kinds.includes('ingress')) rules.push({ apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', namespace: dashboard.namespace });
    if (dashboard.kinds.includes('httproute')) {
      rules.push({ apiVersion: 'gateway.networking.k8s.io/v1', resource: 'httproutes', namespace: dashboard.namespace });
      // Their listeners give an HTTPRoute's scheme; only Gateways in this namespace are asked for.
      rules.push({ apiVersion: 'gateway.networking.k8s.io/v1', resource: 'gateways', namespace: dashboard.namespace });
    }
  }
  return { relatedResources: rules };
}
