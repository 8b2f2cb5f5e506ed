/**
 * The kustomize manifests build, contain exactly what an install needs, and validate
 * against the CRDs of the APIs they use (Metacontroller, kuberik, our own).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { REFERENCE_CRDS_DIR } from '../support/fixtures.js';
import { CRD_FILE, REPO_ROOT, crdValidator, type Schema } from '../../scripts/generate-crd.js';

const MANIFESTS = path.join(REPO_ROOT, 'manifests');

type K8sObject = Schema & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

function parseDocuments(text: string): K8sObject[] {
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseDocuments(out);
}

function loadCrd(file: string, name: string): Schema {
  const crd = parseDocuments(readFileSync(file, 'utf8')).find((d) => d.metadata.name === name);
  if (!crd) throw new Error(`${file}: no CRD named ${name}`);
  return crd;
}

const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort();

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

const expectValid = (result: { valid: boolean; errors: string[] }) => expect(result).toEqual({ valid: true, errors: [] });

const install = kustomize(MANIFESTS);
const samples = kustomize(path.join(MANIFESTS, 'samples'));
const ourCrd = loadCrd(CRD_FILE, 'environments.environments.kuberik.com');

const APP_LABELS = {
  'app.kubernetes.io/name': 'environment-sync',
  'app.kubernetes.io/component': 'webhook',
};

describe('kubectl kustomize manifests/', () => {
  it('yields exactly the install objects', () => {
    expect(ids(install)).toEqual([
      'CompositeController -/environment-sync',
      'CustomResourceDefinition -/environments.environments.kuberik.com',
      'Deployment environment-sync/environment-sync',
      'Namespace -/environment-sync',
      'NetworkPolicy environment-sync/environment-sync',
      'PodDisruptionBudget environment-sync/environment-sync',
      'Service environment-sync/environment-sync',
      'ServiceAccount environment-sync/environment-sync',
    ]);
  });

  it('labels everything as part of environment-sync', () => {
    for (const o of install) {
      expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('environment-sync');
    }
  });

  it('ships the generated CRD unchanged', () => {
    const built = find(install, 'CustomResourceDefinition', 'environments.environments.kuberik.com');
    const { labels: _partOf, ...metadata } = built.metadata;
    expect({ ...built, metadata }).toEqual(ourCrd);
  });

  it('does not include the samples', () => {
    expect(install.filter((o) => ['Environment', 'Rollout', 'Secret'].includes(o.kind))).toEqual([]);
  });
});

describe('CompositeController', () => {
  const cc = find(install, 'CompositeController', 'environment-sync');
  const metacontrollerCrd = loadCrd(path.join(REFERENCE_CRDS_DIR, 'metacontroller-crds-v1.yaml'), 'compositecontrollers.metacontroller.k8s.io');

  it('validates against the Metacontroller v4.17.2 CompositeController CRD', () => {
    expectValid(crdValidator(metacontrollerCrd, { rejectUnknownFields: true })(cc));
  });

  it('is cluster-scoped (no namespace)', () => {
    expect(cc.apiVersion).toBe('metacontroller.k8s.io/v1alpha1');
    expect(cc.metadata.namespace).toBeUndefined();
  });

  const hook = (name: string) => ({
    version: 'v2',
    webhook: {
      service: { name: 'environment-sync', namespace: 'environment-sync', port: 80 },
      path: `/${name}`,
      timeout: '10s',
    },
  });

  it('has exactly the expected spec', () => {
    expect(cc.spec).toEqual({
      parentResource: { apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments' },
      childResources: [
        {
          apiVersion: 'kuberik.com/v1alpha1',
          resource: 'rolloutgates',
          updateStrategy: { method: 'InPlace' },
        },
      ],
      generateSelector: true,
      resyncPeriodSeconds: 300,
      hooks: { customize: hook('customize'), sync: hook('sync'), finalize: hook('finalize') },
    });
  });

  it('points every hook at the Service in the install', () => {
    const service = find(install, 'Service', 'environment-sync');
    const hooks = (cc.spec as { hooks: Record<string, ReturnType<typeof hook>> }).hooks;
    for (const h of Object.values(hooks)) {
      expect(h.version).toBe('v2');
      expect(h.webhook.service.name).toBe(service.metadata.name);
      expect(h.webhook.service.namespace).toBe(service.metadata.namespace);
      expect((service.spec as { ports: Array<{ port: number }> }).ports.map((p) => p.port)).toContain(h.webhook.service.port);
    }
  });
});

describe('webhook', () => {
  const deployment = find(install, 'Deployment', 'environment-sync');
  const podSpec = (deployment.spec as { template: { spec: Schema & { containers: Schema[] } } }).template.spec;
  const container = podSpec.containers[0] as Schema;

  it('has a Namespace and a ServiceAccount without an API token', () => {
    find(install, 'Namespace', 'environment-sync');
    expect(find(install, 'ServiceAccount', 'environment-sync').automountServiceAccountToken).toBe(false);
  });

  it('runs 2 replicas of environment-sync:0.1.0 selected by the app labels', () => {
    const spec = deployment.spec as Schema & { template: { metadata: { labels: Schema } } };
    expect(spec.replicas).toBe(2);
    expect(spec.selector).toEqual({ matchLabels: APP_LABELS });
    expect(spec.template.metadata.labels).toMatchObject(APP_LABELS);
    expect(podSpec.containers).toHaveLength(1);
    expect(container.name).toBe('environment-sync');
    expect(container.image).toBe('environment-sync:0.1.0');
  });

  it('keeps one replica through voluntary disruptions (PodDisruptionBudget over the same pods)', () => {
    const pdb = find(install, 'PodDisruptionBudget', 'environment-sync');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: APP_LABELS } });
  });

  it('runs without an API token, as non-root, read-only, without capabilities', () => {
    expect(podSpec.serviceAccountName).toBe('environment-sync');
    expect(podSpec.automountServiceAccountToken).toBe(false);
    expect(podSpec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('listens on 8080 for the hooks and 9090 for metrics, with the configured environment', () => {
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(container.env).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'METRICS_PORT', value: '9090' },
      { name: 'DRAIN_SECONDS', value: '15' },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
  });

  it('gives the drain and the calls in progress time before the kill', () => {
    const drainSeconds = Number((container.env as { name: string; value: string }[]).find((e) => e.name === 'DRAIN_SECONDS')!.value);
    // The calls in progress after the drain: at most Metacontroller's 10 s hook timeout.
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drainSeconds + 10);
    expect(podSpec.terminationGracePeriodSeconds).toBe(40);
    expect(container.lifecycle).toBeUndefined();
  });

  it('has liveness on /healthz and readiness on /readyz', () => {
    expect(container.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    expect(container.readinessProbe).toEqual({
      httpGet: { path: '/readyz', port: 'http' },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    });
  });

  it('requests resources and caps memory', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { memory: '256Mi' },
    });
  });

  it('mounts a writable emptyDir at /tmp', () => {
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(podSpec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  it('exposes port 80 → http and 9090 → metrics through the Service', () => {
    const service = find(install, 'Service', 'environment-sync');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: APP_LABELS,
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
      ],
    });
  });

  it('admits ingress only from the metacontroller namespace on 8080', () => {
    const policy = find(install, 'NetworkPolicy', 'environment-sync');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: APP_LABELS },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'metacontroller' },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
      egress: [{}],
    });
  });
});

describe('Dockerfile agrees with the Deployment', () => {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');

  it('runs node dist/main.js as uid 10001 on ports 8080 (hooks) and 9090 (metrics)', () => {
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim AS build$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080 9090$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--max-semi-space-size=2", "--heap-growing-percent=100", "dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^COPY schemas \.\/schemas$/m);
  });
});

describe('kubectl kustomize manifests/samples', () => {
  it('yields the Rollout, the token Secret and two Environments in default', () => {
    expect(ids(samples)).toEqual([
      'Environment default/my-app-production',
      'Environment default/my-app-staging',
      'Rollout default/my-app',
      'Secret default/github-token',
    ]);
  });

  it('the Environments validate against our CRD', () => {
    const validate = crdValidator(ourCrd, { rejectUnknownFields: true });
    for (const env of samples.filter((o) => o.kind === 'Environment')) expectValid(validate(env));
  });

  it('the Environments are staging and production (After staging)', () => {
    const backend = { type: 'github', project: 'my-org/my-repo', secret: 'github-token' };
    expect(find(samples, 'Environment', 'my-app-staging').spec).toEqual({
      name: 'my-app',
      environment: 'staging',
      rolloutRef: { name: 'my-app' },
      backend,
      requeueInterval: '1m',
    });
    expect(find(samples, 'Environment', 'my-app-production').spec).toEqual({
      name: 'my-app',
      environment: 'production',
      relationship: { environment: 'staging', type: 'After' },
      rolloutRef: { name: 'my-app' },
      backend,
      requeueInterval: '1m',
    });
  });

  it('the Rollout validates against the kuberik Rollout CRD', () => {
    const rolloutCrd = loadCrd(path.join(REFERENCE_CRDS_DIR, 'kuberik.com_rollouts.yaml'), 'rollouts.kuberik.com');
    expectValid(crdValidator(rolloutCrd, { rejectUnknownFields: true })(find(samples, 'Rollout', 'my-app')));
  });

  it('the Secret holds a placeholder token under key `token`', () => {
    const secret = find(samples, 'Secret', 'github-token');
    expect(secret.apiVersion).toBe('v1');
    expect(secret.type).toBe('Opaque');
    expect(secret.stringData).toEqual({ token: 'replace-me' });
  });
});

describe("the README's install step 0: an overlay built with plain kubectl", () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const overlay = /cat > my-environment-sync\/kustomization\.yaml <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(readme)?.[1];

  it('comes before any use of the standalone kustomize, and step 2 applies it', () => {
    expect(overlay).toBeDefined();
    expect(readme.indexOf("<<'EOF'")).toBeLessThan(readme.indexOf('kustomize edit set image'));
    expect(readme).toContain('kubectl apply -k my-environment-sync/');
  });

  it('points the webhook Deployment at the pushed image, with everything manifests/ installs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'overlay-'));
    try {
      // The overlay sits beside manifests/ in a clone; from a scratch folder the path to it is longer.
      writeFileSync(path.join(dir, 'kustomization.yaml'), overlay!.replace('- ../manifests', `- ${path.relative(dir, MANIFESTS)}`));
      const built = kustomize(dir);
      expect(ids(built)).toEqual(ids(install));
      const containers = (find(built, 'Deployment', 'environment-sync').spec as any).template.spec.containers;
      expect(containers.map((c: { image: string }) => c.image)).toEqual(['ghcr.io/<you>/environment-sync:0.1.0']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
