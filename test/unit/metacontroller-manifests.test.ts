/**
 * Metacontroller's side of the install: the optional minimal ClusterRole
 * (manifests/components/metacontroller-rbac), the NetworkPolicy for Metacontroller in
 * another namespace (manifests/components/metacontroller-namespace-label) and the example
 * that combines them (examples/kustomize/metacontroller-elsewhere), as `kubectl kustomize`
 * renders them.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../../scripts/generate-crd.js';
import { relatedResources } from '../../src/hooks/customize.js';
import type { CustomizeRequest } from '../../src/generated/hooks.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function kustomize(dir: string): K8sObject[] {
  return YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, dir)], { encoding: 'utf8' }))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort();
const install = kustomize('manifests');
const elsewhere = kustomize('examples/kustomize/metacontroller-elsewhere');
const role = find(elsewhere, 'ClusterRole', 'environment-sync-metacontroller') as K8sObject & { rules: Rule[] };

function allows(group: string, resource: string, verb: string): boolean {
  return role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

describe('examples/kustomize/metacontroller-elsewhere', () => {
  test('is the install plus the ClusterRole and its binding', () => {
    expect(ids(elsewhere)).toEqual(
      [...ids(install), 'ClusterRole -/environment-sync-metacontroller', 'ClusterRoleBinding -/environment-sync-metacontroller'].sort(),
    );
  });

  test('every object, the two cluster-scoped ones the component adds too, is labelled part-of environment-sync', () => {
    expect(elsewhere.filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'environment-sync').map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(
      [],
    );
  });

  test("admits Metacontroller's namespace by label instead of by the name metacontroller", () => {
    expect(find(install, 'NetworkPolicy', 'environment-sync').spec).toMatchObject({
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'metacontroller' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ],
    });
    const policy = find(elsewhere, 'NetworkPolicy', 'environment-sync');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'environment-sync', 'app.kubernetes.io/component': 'webhook' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'environment-sync.kuberik.com/metacontroller': 'true' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ],
      egress: [{}],
    });
  });

  test("binds the ClusterRole to Metacontroller's ServiceAccount in its namespace, and sets the image", () => {
    expect(find(elsewhere, 'ClusterRoleBinding', 'environment-sync-metacontroller')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'environment-sync-metacontroller' },
      subjects: [{ kind: 'ServiceAccount', name: 'metacontroller', namespace: 'platform' }],
    });
    const deployment = find(elsewhere, 'Deployment', 'environment-sync') as K8sObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(deployment.spec.template.spec.containers.map((c) => c.image)).toEqual(['ghcr.io/example/environment-sync:0.1.0']);
  });
});

describe('the minimal ClusterRole for Metacontroller', () => {
  const cc = find(install, 'CompositeController', 'environment-sync') as K8sObject & {
    spec: { parentResource: { apiVersion: string; resource: string }; childResources: { apiVersion: string; resource: string }[] };
  };
  const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

  test('lets Metacontroller list and watch, cluster-wide, every related resource /customize asks for (dashboard discovery aside)', () => {
    const request = {
      controller: {},
      parent: {
        apiVersion: 'environments.kuberik.com/v1alpha1',
        kind: 'Environment',
        metadata: { name: 'e', namespace: 'team-a' },
        spec: { rolloutRef: { name: 'app' }, backend: { type: 'github', project: 'o/r' } },
      },
    } as unknown as CustomizeRequest;
    const asked = relatedResources(request).relatedResources.map((r) => `${group(r.apiVersion)}/${r.resource}`);
    expect(asked).toEqual(['kuberik.com/rollouts', '/secrets', 'environments.kuberik.com/environments']);
    for (const resource of asked) {
      const [g, r] = resource.split('/') as [string, string];
      expect([resource, allows(g, r, 'list'), allows(g, r, 'watch')]).toEqual([resource, true, true]);
    }
  });

  test("lets Metacontroller read the parent's CRD cluster-wide: it checks the status subresource before starting the controller", () => {
    for (const verb of ['get', 'list', 'watch']) expect(allows('apiextensions.k8s.io', 'customresourcedefinitions', verb)).toBe(true);
  });

  test('covers the parent (with its status and finalizer) and the children of the CompositeController', () => {
    const parent = cc.spec.parentResource;
    for (const verb of ['get', 'list', 'watch', 'update']) expect(allows(group(parent.apiVersion), parent.resource, verb)).toBe(true);
    expect(allows(group(parent.apiVersion), `${parent.resource}/status`, 'update')).toBe(true);
    expect(allows(group(parent.apiVersion), `${parent.resource}/finalizers`, 'update')).toBe(true);
    for (const child of cc.spec.childResources) {
      for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'])
        expect(allows(group(child.apiVersion), child.resource, verb)).toBe(true);
    }
  });

  test("grants no write on Secrets or Rollouts, and nothing on '*'", () => {
    for (const verb of ['create', 'update', 'patch', 'delete']) {
      expect(allows('', 'secrets', verb)).toBe(false);
      expect(allows('kuberik.com', 'rollouts', verb)).toBe(false);
    }
    expect(role.rules.filter((r) => r.apiGroups.includes('*') || r.resources.includes('*') || r.verbs.includes('*'))).toEqual([]);
  });
});
