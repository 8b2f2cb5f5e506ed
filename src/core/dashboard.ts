/**
 * Where the kuberik rollout dashboard is served, discovered from an Ingress or HTTPRoute
 * that routes to the Service `rollout-dashboard` (used when DASHBOARD_URL is not set).
 */
import type { KubernetesObject } from '../generated/kubernetes.js';
import { isPlainObject } from './payload.js';

export const DASHBOARD_SERVICE = 'rollout-dashboard';
export const INGRESS_GVK = 'Ingress.networking.k8s.io/v1';
export const HTTPROUTE_GVK = 'HTTPRoute.gateway.networking.k8s.io/v1';

/** The first match by namespace/name, Ingresses before HTTPRoutes; '' when none routes to the dashboard. */
export function discoverDashboardUrl(ingresses: readonly KubernetesObject[], httpRoutes: readonly KubernetesObject[]): string {
  for (const ingress of sortByKey(ingresses)) {
    const url = fromIngress(ingress);
    if (url) return url;
  }
  for (const route of sortByKey(httpRoutes)) {
    const url = fromHttpRoute(route);
    if (url) return url;
  }
  return '';
}

function fromIngress(ingress: KubernetesObject): string {
  const spec = (ingress as { spec?: unknown }).spec;
  if (!isPlainObject(spec) || !Array.isArray(spec.rules)) return '';
  const tlsHosts = new Set<string>();
  if (Array.isArray(spec.tls))
    for (const t of spec.tls) if (isPlainObject(t) && Array.isArray(t.hosts)) for (const h of t.hosts) if (typeof h === 'string') tlsHosts.add(h);
  for (const rule of spec.rules) {
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

function fromHttpRoute(route: KubernetesObject): string {
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
    return `https://${host}${basePath(path)}`;
  }
  return '';
}

function basePath(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/')) return '';
  return path.replace(/\/+$/, '');
}

function sortByKey(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const key = (o: KubernetesObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
