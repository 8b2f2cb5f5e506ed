import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestError, parseControllerManifest, timeoutMs } from '../../../src/runner/manifest.js';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';

const OURS = readFileSync(path.join(REPO_ROOT, 'manifests', 'controller', 'compositecontroller.yaml'), 'utf8');

const minimal = (spec: string) => `apiVersion: metacontroller.k8s.io/v1alpha1
kind: CompositeController
metadata: {name: demo}
spec:
  generateSelector: true
  parentResource: {apiVersion: example.com/v1, resource: things}
${spec}`;

describe('parseControllerManifest: our CompositeController', () => {
  it('yields the settings Metacontroller would use, hook URLs built from service and path', () => {
    const settings = parseControllerManifest(OURS);
    expect(settings.name).toBe('environment-sync');
    expect(settings.parent).toEqual({ apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments', ignoreStatusChanges: false });
    expect(settings.children).toEqual([{ apiVersion: 'kuberik.com/v1alpha1', resource: 'rolloutgates', updateMethod: 'InPlace' }]);
    expect(settings.hooks).toEqual({
      sync: { url: 'http://environment-sync.environment-sync/sync', timeoutMs: 10_000 },
      finalize: { url: 'http://environment-sync.environment-sync/finalize', timeoutMs: 10_000 },
      customize: { url: 'http://environment-sync.environment-sync/customize', timeoutMs: 10_000 },
    });
    expect(settings.resyncPeriodSeconds).toBe(300);
    expect(settings.object.kind).toBe('CompositeController');
    expect(settings.object.metadata.name).toBe('environment-sync');
  });

  it('replaces scheme, host and port with --hook-base-url, keeping each path', () => {
    const settings = parseControllerManifest(OURS, { hookBaseUrl: 'http://127.0.0.1:8080' });
    expect([settings.hooks.sync.url, settings.hooks.finalize?.url, settings.hooks.customize?.url]).toEqual([
      'http://127.0.0.1:8080/sync',
      'http://127.0.0.1:8080/finalize',
      'http://127.0.0.1:8080/customize',
    ]);
    expect(parseControllerManifest(OURS, { hookBaseUrl: 'https://hooks.example/prefix/' }).hooks.sync.url).toBe('https://hooks.example/prefix/sync');
  });

  it('finds the CompositeController among other documents (e.g. a kustomize build)', () => {
    const settings = parseControllerManifest(`apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n${OURS}`);
    expect(settings.name).toBe('environment-sync');
  });
});

describe('parseControllerManifest: defaults and URL forms', () => {
  it('url wins over service; default port 80, protocol http, timeout 10s; OnDelete when no strategy', () => {
    const settings = parseControllerManifest(
      minimal(`  childResources:
  - {apiVersion: v1, resource: configmaps}
  hooks:
    sync:
      version: v2
      webhook: {url: 'http://hooks.local:9000/s', service: {name: a, namespace: b}, path: /ignored, timeout: 1m30s}
    finalize:
      version: v2
      webhook: {service: {name: svc, namespace: ns, port: 8443, protocol: https}, path: /fin, timeout: 250ms}
    customize:
      version: v2
      webhook: {service: {name: svc, namespace: ns}, path: /cust, timeout: 0s}
  resyncPeriodSeconds: 0.2`),
    );
    expect(settings.children).toEqual([{ apiVersion: 'v1', resource: 'configmaps', updateMethod: 'OnDelete' }]);
    expect(settings.hooks).toEqual({
      sync: { url: 'http://hooks.local:9000/s', timeoutMs: 90_000 },
      finalize: { url: 'https://svc.ns:8443/fin', timeoutMs: 250 },
      customize: { url: 'http://svc.ns/cust', timeoutMs: 10_000 },
    });
    expect(settings.resyncPeriodSeconds).toBe(1);
  });

  it('rejects a service protocol that is not a string, as Metacontroller (a *string field) does', () => {
    const text = minimal(`  hooks:\n    sync:\n      version: v2\n      webhook: {service: {name: svc, namespace: ns, protocol: [https]}, path: /sync}\n`);
    expect(() => parseControllerManifest(text)).toThrow(new ManifestError('spec.hooks.sync.webhook.service.protocol must be a string such as https'));
  });

  it.each([
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h0m1s', 3_601_000],
    ['1.5s', 1500],
    ['500us', 1],
    ['-5s', 10_000],
  ])('timeout %s → %d ms', (raw, ms) => {
    expect(timeoutMs(raw, 'timeout')).toBe(ms);
  });

  it('rejects a timeout that is not a duration', () => {
    expect(() => timeoutMs('10', 'spec.hooks.sync.webhook.timeout')).toThrow(
      new ManifestError('spec.hooks.sync.webhook.timeout must be a duration such as 10s'),
    );
  });
});

describe('parseControllerManifest: what the runner does not implement is refused, not ignored', () => {
  const sync = `  hooks:\n    sync:\n      version: v2\n      webhook: {url: 'http://h/sync'}\n`;
  it.each([
    [
      minimal(`  childResources:\n  - {apiVersion: v1, resource: pods, updateStrategy: {method: RollingInPlace}}\n${sync}`),
      'spec.childResources[0].updateStrategy.method "RollingInPlace" is not supported (supported: OnDelete, Recreate, InPlace)',
    ],
    [minimal(`  endpointConfigs: []\n${sync}`), 'spec.endpointConfigs is not supported by the runner'],
    [minimal(`  hooks:\n    sync:\n      webhook: {url: 'http://h/sync'}\n`), 'spec.hooks.sync.version must be v2 (got "v1 (default)")'],
    [
      minimal(`  hooks:\n    sync:\n      version: v2\n      webhook: {url: 'http://h/sync', etag: {enabled: true}}\n`),
      'spec.hooks.sync.webhook.etag is not supported by the runner',
    ],
    [
      minimal(`  hooks:\n    sync:\n      version: v2\n      webhook: {url: 'http://h/sync', caBundle: abc}\n`),
      'spec.hooks.sync.webhook.caBundle is not supported by the runner',
    ],
    [
      minimal(`  hooks:\n    sync:\n      version: v2\n      webhook: {path: /sync}\n`),
      "spec.hooks.sync.webhook: must specify either a full 'url', or both 'service' and 'path'",
    ],
    [minimal(`  hooks:\n    finalize:\n      version: v2\n      webhook: {url: 'http://h/f'}\n`), 'spec.hooks.sync is required'],
    [
      minimal(sync).replace('generateSelector: true', 'generateSelector: false'),
      'spec.generateSelector must be true: selecting children by spec.selector is not implemented',
    ],
    [minimal(sync).replace('resource: things}', 'resource: things, labelSelector: {}}'), 'spec.parentResource.labelSelector is not supported by the runner'],
    ['kind: ConfigMap\napiVersion: v1\n', 'expected exactly one metacontroller.k8s.io/v1alpha1 CompositeController, found 0'],
  ])('%#', (text, message) => {
    expect(() => parseControllerManifest(text)).toThrow(new ManifestError(message));
  });
});
