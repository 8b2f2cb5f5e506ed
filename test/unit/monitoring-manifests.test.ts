/** manifests/monitoring: a ServiceMonitor that finds the Service, and a policy that lets Prometheus in. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../../scripts/generate-crd.js';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: any };

const kustomize = (dir: string): K8sObject[] =>
  YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, 'manifests', dir)], { encoding: 'utf8' }))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);

const monitoring = kustomize('monitoring');
const install = kustomize('');
const service = install.find((o) => o.kind === 'Service')!;
const deployment = install.find((o) => o.kind === 'Deployment')!;

describe('kubectl kustomize manifests/monitoring', () => {
  it('yields a ServiceMonitor and a NetworkPolicy in the webhook namespace', () => {
    expect(monitoring.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'monitoring.coreos.com/v1 ServiceMonitor environment-sync/environment-sync',
      'networking.k8s.io/v1 NetworkPolicy environment-sync/environment-sync-metrics',
    ]);
  });

  it('selects the webhook Service by its labels and scrapes /metrics on the Service port named metrics', () => {
    const monitor = monitoring[0]!;
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) expect(service.metadata.labels?.[k]).toBe(v);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain('metrics');
  });

  it('admits the monitoring namespace to the metrics port only, never to the hooks', () => {
    const policy = monitoring[1]!;
    expect(policy.spec.podSelector).toEqual({ matchLabels: deployment.spec.selector.matchLabels });
    const targetPort = service.spec.ports.find((p: { name: string }) => p.name === 'metrics').targetPort;
    const ports = deployment.spec.template.spec.containers[0].ports as { name: string; containerPort: number }[];
    const containerPort = ports.find((p) => p.name === targetPort)!.containerPort;
    expect(containerPort).toBe(9090);
    expect(containerPort).not.toBe(ports.find((p) => p.name === 'http')!.containerPort);
    expect(policy.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: containerPort }] },
    ]);
  });

  it('is not part of the default install (the ServiceMonitor CRD is optional)', () => {
    expect(install.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com'))).toEqual([]);
  });
});
