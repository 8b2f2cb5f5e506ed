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

  describe('HTTPRoute scheme from the Gateway listener', () => {
    const gateway = (name: string, namespace: string, listeners: unknown[]): KubernetesObject =>
      ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name, namespace },
        spec: { gatewayClassName: 'x', listeners },
      }) as KubernetesObject;
    const routeVia = (parentRef: Record<string, unknown>) =>
      route('dash', { parentRefs: [parentRef], hostnames: ['rollouts.example.org'], rules: [{ backendRefs: [{ name: 'rollout-dashboard', port: 80 }] }] });
    const listeners = [
      { name: 'web', protocol: 'HTTP', port: 80, hostname: 'rollouts.example.org' },
      { name: 'websecure', protocol: 'HTTPS', port: 443, hostname: '*.example.org' },
    ];

    test('the listener named by sectionName decides', () => {
      const gw = gateway('edge', 'kuberik', listeners);
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge', sectionName: 'web' })], [gw])).toBe('http://rollouts.example.org');
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge', sectionName: 'websecure' })], [gw])).toBe('https://rollouts.example.org');
    });

    test('without sectionName: the first listener whose hostname covers the host, else the first', () => {
      const httpsFirst = gateway('edge', 'kuberik', [listeners[1], listeners[0]]);
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge' })], [httpsFirst])).toBe('https://rollouts.example.org');
      const other = gateway('edge', 'kuberik', [{ name: 'plain', protocol: 'HTTP', port: 80, hostname: 'other.example.com' }]);
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge' })], [other])).toBe('http://rollouts.example.org');
    });

    test('a Gateway in another namespace, or none readable: https', () => {
      const elsewhere = gateway('edge', 'infra', [listeners[0]]);
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge', sectionName: 'web' })], [elsewhere])).toBe('https://rollouts.example.org');
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge', namespace: 'infra', sectionName: 'web' })], [elsewhere])).toBe('http://rollouts.example.org');
      expect(discoverDashboardUrl([], [routeVia({ name: 'edge', sectionName: 'web' })], [])).toBe('https://rollouts.example.org');
    });
  });

  test('an Ingress defaultBackend to the dashboard counts, on the first rule host', () => {
    const i = ingress('dash', {
      defaultBackend: { service: { name: 'rollout-dashboard', port: { number: 80 } } },
      tls: [{ hosts: ['rollouts.example.com'] }],
      rules: [{ host: 'rollouts.example.com', http: { paths: [backend('grafana', '/grafana')] } }],
    });
    expect(discoverDashboardUrl([i], [])).toBe('https://rollouts.example.com');
    const noRules = ingress('dash', { defaultBackend: { service: { name: 'rollout-dashboard', port: { number: 80 } } } });
    expect(discoverDashboardUrl([noRules], [])).toBe('');
  });
});
