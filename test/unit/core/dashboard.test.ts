import { discoverDashboardUrl } from '../../../src/core/dashboard.js';
import type { KubernetesObject } from '../../../src/generated/kubernetes.js';

const ingress = (name: string, spec: unknown): KubernetesObject =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'kuberik' }, spec }) as KubernetesObject;
const route = (name: string, spec: unknown): KubernetesObject =>
  ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'kuberik' }, spec }) as KubernetesObject;
const backend = (service: string, path = '/') => ({ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } });

describe('discoverDashboardUrl', () => {
  test('Ingress with TLS for the host → https, trailing slash of the path dropped', () => {
    const i = ingress('dash', {
      tls: [{ hosts: ['rollouts.example.com'] }],
      rules: [{ host: 'rollouts.example.com', http: { paths: [backend('rollout-dashboard', '/kuberik/')] } }],
    });
    expect(discoverDashboardUrl([i], [])).toBe('https://rollouts.example.com/kuberik');
  });

  test('Ingress without TLS → http; other services and wildcard hosts are skipped', () => {
    const other = ingress('a-other', { rules: [{ host: 'grafana.example.com', http: { paths: [backend('grafana')] } }] });
    const wildcard = ingress('b-wild', { rules: [{ host: '*.example.com', http: { paths: [backend('rollout-dashboard')] } }] });
    const plain = ingress('c-dash', { rules: [{ host: 'dash.internal', http: { paths: [backend('rollout-dashboard')] } }] });
    expect(discoverDashboardUrl([plain, wildcard, other], [])).toBe('http://dash.internal');
  });

  test('first by namespace/name wins, whatever the arrival order', () => {
    const b = ingress('b', { rules: [{ host: 'b.example.com', http: { paths: [backend('rollout-dashboard')] } }] });
    const a = ingress('a', { rules: [{ host: 'a.example.com', http: { paths: [backend('rollout-dashboard')] } }] });
    expect(discoverDashboardUrl([b, a], [])).toBe('http://a.example.com');
    expect(discoverDashboardUrl([a, b], [])).toBe('http://a.example.com');
  });

  test('HTTPRoute to the Service → https with the path prefix; Ingresses are preferred', () => {
    const r = route('dash', {
      hostnames: ['rollouts.example.org'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/ui' } }], backendRefs: [{ name: 'rollout-dashboard', port: 80 }] }],
    });
    expect(discoverDashboardUrl([], [r])).toBe('https://rollouts.example.org/ui');
    const i = ingress('dash', { rules: [{ host: 'dash.internal', http: { paths: [backend('rollout-dashboard')] } }] });
    expect(discoverDashboardUrl([i], [r])).toBe('http://dash.internal');
  });

  test('nothing routes to the dashboard → empty', () => {
    const r = route('x', { hostnames: ['x.example.org'], rules: [{ backendRefs: [{ name: 'rollout-dashboard', kind: 'ServiceImport' }] }] });
    expect(discoverDashboardUrl([ingress('broken', { rules: 'nope' })], [r])).toBe('');
  });
});
