/** manifests/receiver: an optional kustomization running the webhook receiver with least privilege. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';
import { WEBHOOK_PATH } from '../../../src/receiver/app.js';
import { loadReceiverConfig } from '../../../src/receiver/config.js';

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

const build = (dir: string): Doc[] =>
  YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, dir)], { encoding: 'utf8' }))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);

const receiver = build('manifests/receiver');
const find = (kind: string) => receiver.find((d) => d.kind === kind)!;

describe('kubectl kustomize manifests/receiver', () => {
  it('yields the receiver, its account, RBAC, Service and network policy', () => {
    expect(receiver.map((d) => `${d.kind} ${d.metadata.namespace ?? '-'}/${d.metadata.name}`).sort()).toEqual([
      'ClusterRole -/environment-sync-receiver',
      'ClusterRoleBinding -/environment-sync-receiver',
      'Deployment environment-sync/environment-sync-receiver',
      'NetworkPolicy environment-sync/environment-sync-receiver',
      'Service environment-sync/environment-sync-receiver',
      'ServiceAccount environment-sync/environment-sync-receiver',
    ]);
  });

  it('may only list, watch and patch Environments', () => {
    expect(find('ClusterRole').rules).toEqual([{ apiGroups: ['environments.kuberik.com'], resources: ['environments'], verbs: ['list', 'watch', 'patch'] }]);
    expect(find('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'environment-sync-receiver', namespace: 'environment-sync' }]);
  });

  it('runs the image’s receiver entry point with a mounted secret and a configuration the receiver accepts', () => {
    const pod = find('Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('environment-sync-receiver');
    const [container] = pod.containers;
    expect(container.command).toEqual(['node', 'dist/receiver/main.js']);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toEqual({
      RECEIVER_PORT: '8090',
      RECEIVER_METRICS_PORT: '9090',
      WEBHOOK_SECRET_FILE: '/etc/environment-sync/webhook/secret',
      WEBHOOK_SECRET_PREVIOUS_FILE: '/etc/environment-sync/webhook/previous',
      LOG_LEVEL: 'info',
    });
    expect(() => loadReceiverConfig({ ...env, WEBHOOK_SECRET_FILE: undefined, WEBHOOK_SECRET_PREVIOUS_FILE: undefined, WEBHOOK_SECRET: 'x' })).not.toThrow();
    expect(container.volumeMounts).toEqual([{ name: 'webhook-secret', mountPath: '/etc/environment-sync/webhook', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'webhook-secret', secret: { secretName: 'environment-sync-receiver' } }]);
    expect(container.ports).toEqual([
      { name: 'webhook', containerPort: 8090, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
  });

  it('exposes only the webhook port in its Service, and the example Ingress routes only the webhook path to it', () => {
    expect(find('Service').spec.ports).toEqual([{ name: 'webhook', port: 80, targetPort: 'webhook', protocol: 'TCP' }]);
    const ingress = YAML.parse(readFileSync(path.join(REPO_ROOT, 'manifests/receiver/ingress.example.yaml'), 'utf8'));
    expect(ingress.spec.rules[0].http.paths).toEqual([
      { path: WEBHOOK_PATH, pathType: 'Exact', backend: { service: { name: 'environment-sync-receiver', port: { name: 'webhook' } } } },
    ]);
  });

  it('admits deliveries on the webhook port only and lets the pods reach nothing but DNS and the API server', () => {
    const policy = find('NetworkPolicy');
    expect(policy.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 8090 }] }]);
    expect(policy.spec.egress).toEqual([
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      {
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
  });

  it('is not part of the default install, which keeps the hook webhook without Kubernetes credentials', () => {
    const install = build('manifests');
    expect(install.filter((d) => d.metadata.name === 'environment-sync-receiver')).toEqual([]);
    const webhook = install.find((d) => d.kind === 'Deployment' && d.metadata.name === 'environment-sync')!;
    expect(webhook.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});
