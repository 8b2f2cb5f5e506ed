/**
 * Reads a CompositeController manifest (the file Metacontroller would be given) into the
 * settings the runner needs, refusing the features the runner does not implement rather
 * than silently behaving differently from Metacontroller.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import type { ChildRule, ControllerSettings, HookTarget, KubeObject, UpdateMethod } from './types.js';

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export interface ManifestOptions {
  /** Replaces scheme, host and port of every hook URL (keeps the path), e.g. http://127.0.0.1:8080. */
  hookBaseUrl?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const SUPPORTED_METHODS: readonly UpdateMethod[] = ['OnDelete', 'Recreate', 'InPlace'];
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export async function loadControllerManifest(path: string, options: ManifestOptions = {}): Promise<ControllerSettings> {
  const text = await readFile(path, 'utf8');
  try {
    return parseControllerManifest(text, options);
  } catch (error) {
    if (error instanceof ManifestError) throw new ManifestError(`${path}: ${error.message}`);
    throw error;
  }
}

/** The one CompositeController among the YAML documents in `text`. */
export function parseControllerManifest(text: string, options: ManifestOptions = {}): ControllerSettings {
  const documents = YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown);
  const controllers = documents.filter(
    (d): d is KubeObject => isRecord(d) && d.kind === 'CompositeController' && d.apiVersion === 'metacontroller.k8s.io/v1alpha1',
  );
  if (controllers.length !== 1) throw new ManifestError(`expected exactly one metacontroller.k8s.io/v1alpha1 CompositeController, found ${controllers.length}`);
  const object = controllers[0] as KubeObject;
  const name = object.metadata?.name;
  if (typeof name !== 'string' || !name) throw new ManifestError('metadata.name is required');
  const spec = record(object.spec, 'spec');

  unsupported(spec.endpointConfigs !== undefined, 'spec.endpointConfigs');
  if (spec.generateSelector !== true) throw new ManifestError('spec.generateSelector must be true: selecting children by spec.selector is not implemented');

  const parentSpec = record(spec.parentResource, 'spec.parentResource');
  unsupported(parentSpec.labelSelector !== undefined, 'spec.parentResource.labelSelector');
  const parent = {
    apiVersion: requiredString(parentSpec.apiVersion, 'spec.parentResource.apiVersion'),
    resource: requiredString(parentSpec.resource, 'spec.parentResource.resource'),
    ignoreStatusChanges: parentSpec.ignoreStatusChanges === true,
  };

  const childList = spec.childResources === undefined ? [] : spec.childResources;
  if (!Array.isArray(childList)) throw new ManifestError('spec.childResources must be a list');
  const children = childList.map((raw, i) => childRule(raw, `spec.childResources[${i}]`));

  const hooks = record(spec.hooks, 'spec.hooks');
  if (hooks.sync === undefined) throw new ManifestError('spec.hooks.sync is required');
  const settings: ControllerSettings = {
    name,
    object,
    parent,
    children,
    hooks: { sync: hookTarget(hooks.sync, 'spec.hooks.sync', options) },
  };
  if (hooks.finalize !== undefined) settings.hooks.finalize = hookTarget(hooks.finalize, 'spec.hooks.finalize', options);
  if (hooks.customize !== undefined) settings.hooks.customize = hookTarget(hooks.customize, 'spec.hooks.customize', options);

  if (spec.resyncPeriodSeconds !== undefined) {
    if (typeof spec.resyncPeriodSeconds !== 'number' || !Number.isFinite(spec.resyncPeriodSeconds))
      throw new ManifestError('spec.resyncPeriodSeconds must be a number');
    // Metacontroller clamps the period to at least one second.
    settings.resyncPeriodSeconds = Math.max(1, spec.resyncPeriodSeconds);
  }
  return settings;
}

function childRule(raw: unknown, where: string): ChildRule {
  const rule = record(raw, where);
  const strategy = rule.updateStrategy === undefined ? {} : record(rule.updateStrategy, `${where}.updateStrategy`);
  // Metacontroller's default: existing children are never updated.
  const method = strategy.method === undefined ? 'OnDelete' : strategy.method;
  if (!SUPPORTED_METHODS.includes(method as UpdateMethod)) {
    throw new ManifestError(`${where}.updateStrategy.method ${JSON.stringify(method)} is not supported (supported: ${SUPPORTED_METHODS.join(', ')})`);
  }
  return {
    apiVersion: requiredString(rule.apiVersion, `${where}.apiVersion`),
    resource: requiredString(rule.resource, `${where}.resource`),
    updateMethod: method as UpdateMethod,
  };
}

function hookTarget(raw: unknown, where: string, options: ManifestOptions): HookTarget {
  const hook = record(raw, where);
  // Metacontroller's default hook version is v1; the runner speaks only v2.
  if (hook.version !== 'v2') throw new ManifestError(`${where}.version must be v2 (got ${JSON.stringify(hook.version ?? 'v1 (default)')})`);
  const webhook = record(hook.webhook, `${where}.webhook`);
  for (const field of ['caBundle', 'clientTLS', 'authorization', 'basicAuth']) unsupported(webhook[field] !== undefined, `${where}.webhook.${field}`);
  unsupported(isRecord(webhook.etag) && webhook.etag.enabled === true, `${where}.webhook.etag`);
  const mode = webhook.responseUnMarshallMode ?? 'strict';
  if (mode !== 'strict' && mode !== 'loose') throw new ManifestError(`${where}.webhook.responseUnMarshallMode must be strict or loose`);
  if (mode === 'loose') throw new ManifestError(`${where}.webhook.responseUnMarshallMode loose is not supported: the runner parses v2 responses strictly`);
  const url = overrideBase(hookUrl(webhook, where), options.hookBaseUrl);
  return { url, timeoutMs: webhook.timeout === undefined ? DEFAULT_TIMEOUT_MS : timeoutMs(webhook.timeout, `${where}.webhook.timeout`) };
}

/** `url` wins; otherwise `{protocol}://{service.name}.{service.namespace}:{port}{path}`, as Metacontroller builds it. */
function hookUrl(webhook: Record<string, unknown>, where: string): string {
  if (typeof webhook.url === 'string' && webhook.url) return validUrl(webhook.url, `${where}.webhook.url`);
  if (webhook.service === undefined || typeof webhook.path !== 'string') {
    throw new ManifestError(`${where}.webhook: must specify either a full 'url', or both 'service' and 'path'`);
  }
  const service = record(webhook.service, `${where}.webhook.service`);
  const name = requiredString(service.name, `${where}.webhook.service.name`);
  const namespace = requiredString(service.namespace, `${where}.webhook.service.namespace`);
  const port = service.port === undefined ? 80 : service.port;
  const protocol = service.protocol === undefined ? 'http' : service.protocol;
  if (typeof port !== 'number' || !Number.isInteger(port)) throw new ManifestError(`${where}.webhook.service.port must be an integer`);
  if (typeof protocol !== 'string') throw new ManifestError(`${where}.webhook.service.protocol must be a string such as https`);
  return validUrl(`${protocol}://${name}.${namespace}:${port}${webhook.path}`, `${where}.webhook`);
}

function overrideBase(url: string, base: string | undefined): string {
  if (!base) return url;
  const parsed = new URL(url);
  return validUrl(`${base.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`, '--hook-base-url');
}

/** A Go duration (`10s`, `1m30s`, `500ms`); zero or negative means the 10 s default, as in Metacontroller. */
export function timeoutMs(raw: unknown, where: string): number {
  if (typeof raw !== 'string' || !/^-?(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(raw)) throw new ManifestError(`${where} must be a duration such as 10s`);
  let total = 0;
  for (const [, amount, unit] of raw.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * (UNIT_MS[unit as string] ?? 0);
  if (raw.startsWith('-')) total = -total;
  return total > 0 ? Math.ceil(total) : DEFAULT_TIMEOUT_MS;
}

function validUrl(raw: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ManifestError(`${where}: not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ManifestError(`${where}: only http and https URLs are supported`);
  return parsed.toString();
}

function unsupported(present: boolean, field: string): void {
  if (present) throw new ManifestError(`${field} is not supported by the runner`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ManifestError(`${where} must be an object`);
  return value;
}

function requiredString(value: unknown, where: string): string {
  if (typeof value !== 'string' || !value) throw new ManifestError(`${where} is required`);
  return value;
}
