/**
 * Where the kuberik rollout dashboard is served, discovered from an Ingress or HTTPRoute
 * that routes to the Service `rollout-dashboard` (used when DASHBOARD_URL is not set).
 */
import type { KubernetesObject } from '../generated/kubernetes.js';
import { isPlainObject } from './payload.js';

export const DASHBOARD_SERVICE = 'rollout-dashboard';
export const INGRESS_GVK = 'Ingress.networking.k8s.io/v1';
export const HTTPROUTE_GVK = 'HTTPRoute.gateway.networking.k8s.io/v1';
export const GATEWAY_GVK = 'Gateway.gateway.networking.k8s.io/v1';

/**
 * The first match by namespace/name, Ingresses before HTTPRoutes; '' when none routes to the
 * dashboard. `gateways`: the Gateways that can be read, for the scheme of an HTTPRoute.
 */
export function discoverDashboardUrl(
  ingresses: readonly KubernetesObject[],
  httpRoutes: readonly KubernetesObject[],
  gateways: readonly KubernetesObject[] = [],
): string {
  for (const ingress of sortByKey(ingresses)) {
    const url = fromIngress(ingress);
    if (url) return url;
  }
  for (const route of sortByKey(httpRoutes)) {
    const url = fromHttpRoute(route, gateways);
    if (url) return url;
  }
  return '';
}

function fromIngress(ingress: KubernetesObject): string {
  const spec = (ingress as { spec?: unknown }).spec;
  if (!isPlainObject(spec)) return '';
  const tlsHosts = new Set<string>();
  if (Array.isArray(spec.tls))
    for (const t of spec.tls) if (isPlainObject(t) && Array.isArray(t.hosts)) for (const h of t.hosts) if (typeof h === 'string') tlsHosts.add(h);
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  // A default backend to the dashboard counts, served on the first rule's host (as kuberik's Go
  // controller reads it, environment-controller githubenvironment_controller.go:538-552).
  const fallback = isPlainObject(spec.defaultBackend) && isPlainObject(spec.defaultBackend.service) ? spec.defaultBackend.service : undefined;
  if (fallback?.name === DASHBOARD_SERVICE) {
    const first: unknown = rules[0];
    if (isPlainObject(first) && typeof first.host === 'string' && first.host && !first.host.includes('*')) {
      return `${tlsHosts.has(first.host) ? 'https' : 'http'}://${first.host}`;
    }
  }
  for (const rule of rules) {
    if (!isPlainObject(rule) || typeof rule.host !== 'string' || !rule.host || rule.host.includes('*')) continue;
    const paths = isPlainObject(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    for (const p of paths) {
      if (!isPlainObject(p) || !isPlainObject(p.backend) || !isPlainObject(p.backend.service)) continue;
      if (p.backend.service.name !== DASHBOARD_SERVICE) continue;
      const scheme = tlsHosts.has(rule.host) ? 'https' : 'http';
      return `${scheme}://${rule.host}${basePath(p.path)}`;
    }
  }
  return '';
}

function fromHttpRoute(route: KubernetesObject, gateways: readonly KubernetesObject[]): string {
  const spec = (route as { spec?: unknown }).spec;
  if (!isPlainObject(spec) || !Array.isArray(spec.hostnames) || !Array.isArray(spec.rules)) return '';
  const host = spec.hostnames.find((h): h is string => typeof h === 'string' && h !== '' && !h.includes('*'));
  if (!host) return '';
  for (const rule of spec.rules) {
    if (!isPlainObject(rule) || !Array.isArray(rule.backendRefs)) continue;
    const routesToDashboard = rule.backendRefs.some((b) => isPlainObject(b) && b.name === DASHBOARD_SERVICE && (b.kind === undefined || b.kind === 'Service'));
    if (!routesToDashboard) continue;
    const match = Array.isArray(rule.matches) ? (rule.matches as unknown[]).find((m) => isPlainObject(m) && isPlainObject(m.path)) : undefined;
    const path = isPlainObject(match) && isPlainObject(match.path) ? match.path.value : undefined;
    return `${schemeOf(route, host, gateways)}://${host}${basePath(path)}`;
  }
  return '';
}

/**
 * http when the route's Gateway listener is plain HTTP, else https (also when the Gateway
 * cannot be read). The listener is the parentRef's sectionName, else the first whose
 * hostname covers the route's host, else the Gateway's first (environment-controller
 * githubenvironment_controller.go:619-678).
 */
function schemeOf(route: KubernetesObject, host: string, gateways: readonly KubernetesObject[]): 'http' | 'https' {
  const spec = (route as { spec?: unknown }).spec;
  const parent: unknown = isPlainObject(spec) && Array.isArray(spec.parentRefs) ? spec.parentRefs[0] : undefined;
  if (!isPlainObject(parent) || typeof parent.name !== 'string') return 'https';
  const namespace = typeof parent.namespace === 'string' ? parent.namespace : route.metadata.namespace;
  const gateway = gateways.find((g) => g.metadata.name === parent.name && (g.metadata.namespace ?? namespace) === namespace);
  const gatewaySpec = (gateway as { spec?: unknown } | undefined)?.spec;
  const listeners = isPlainObject(gatewaySpec) && Array.isArray(gatewaySpec.listeners) ? gatewaySpec.listeners.filter(isPlainObject) : [];
  let listener: Record<string, unknown> | undefined;
  if (typeof parent.sectionName === 'string') {
    listener = listeners.find((l) => l.name === parent.sectionName);
  } else {
    listener = listeners.find((l) => typeof l.hostname === 'string' && covers(l.hostname, host)) ?? listeners[0];
  }
  return listener?.protocol === 'HTTP' ? 'http' : 'https';
}

function covers(pattern: string, host: string): boolean {
  return pattern === host || pattern === '*' || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)));
}

function basePath(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/')) return '';
  return path.replace(/\/+$/, '');
}

function sortByKey(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const key = (o: KubernetesObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
