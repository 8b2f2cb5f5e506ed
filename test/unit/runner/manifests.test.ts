/** manifests/runner: an optional kustomization granting the runner exactly what it uses. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

const build = (dir: string): Doc[] =>
  YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, dir)], { encoding: 'utf8' }))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);

const runner = build('manifests/runner');
const find = (kind: string) => runner.find((d) => d.kind === kind)!;

describe('kubectl kustomize manifests/runner', () => {
  it('yields the runner, its account, RBAC and network access', () => {
    expect(runner.map((d) => `${d.kind} ${d.metadata.namespace ?? '-'}/${d.metadata.name}`).sort()).toEqual([
      'ClusterRole -/environment-sync-runner',
      'ClusterRoleBinding -/environment-sync-runner',
      'Deployment environment-sync/environment-sync-runner',
      'NetworkPolicy environment-sync/environment-sync-runner',
      'ServiceAccount environment-sync/environment-sync-runner',
    ]);
  });

  it('grants only the verbs the runner uses', () => {
    expect(find('ClusterRole').rules).toEqual([
      { apiGroups: ['environments.kuberik.com'], resources: ['environments'], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: ['environments.kuberik.com'], resources: ['environments/status'], verbs: ['update'] },
      { apiGroups: ['environments.kuberik.com'], resources: ['environments/finalizers'], verbs: ['update'] },
      { apiGroups: ['kuberik.com'], resources: ['rolloutgates'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
      { apiGroups: ['kuberik.com'], resources: ['rollouts'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(find('ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'environment-sync-runner', namespace: 'environment-sync' }]);
    expect(find('ClusterRoleBinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'environment-sync-runner' });
  });

  it('runs one replica of the runner with that account, reading a manifest the image contains', () => {
    const deployment = find('Deployment');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('environment-sync-runner');
    const [container] = pod.containers;
    expect(container.command).toEqual(['node', 'dist/runner/main.js']);
    expect(container.args).toEqual(['--manifest', 'manifests/controller/compositecontroller.yaml']);
    expect(existsSync(path.join(REPO_ROOT, container.args[1]))).toBe(true);
    expect(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8')).toContain(`COPY ${container.args[1]} ./${container.args[1]}`);
  });

  it("lets the runner's pods, and only them, reach the webhook port", () => {
    const policy = find('NetworkPolicy');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'environment-sync', 'app.kubernetes.io/component': 'webhook' } });
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'environment-sync', 'app.kubernetes.io/component': 'runner' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    expect(find('Deployment').spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'environment-sync', 'app.kubernetes.io/component': 'runner' });
  });

  it('is not part of the default install', () => {
    expect(build('manifests').filter((d) => d.metadata.name === 'environment-sync-runner')).toEqual([]);
  });
});
