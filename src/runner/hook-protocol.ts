/**
 * Metacontroller's v2 wire format for CompositeController hooks: building requests and
 * parsing responses strictly (unknown top-level keys are errors, as in Metacontroller's
 * default `strict` mode for v2).
 */
import type { KubeObject, LabelSelector, ObjectMap, RelatedResourceRule, SyncResult } from './types.js';

export class HookResponseError extends Error {
  override name = 'HookResponseError';
}

/** The outer map key: `<Kind>.<apiVersion>` (`Secret.v1`, `RolloutGate.kuberik.com/v1alpha1`). */
export function groupKey(kind: string, apiVersion: string): string {
  return `${kind}.${apiVersion}`;
}

/** The v2 inner key: `<namespace>/<name>` for namespaced objects, `<name>` otherwise. */
export function objectKey(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

/**
 * One entry per group, even when empty (Metacontroller's InitGroup), then each object under
 * its own kind and apiVersion.
 */
export function buildObjectMap(groups: readonly { kind: string; apiVersion: string }[], objects: readonly KubeObject[]): ObjectMap {
  const map: ObjectMap = {};
  for (const g of groups) map[groupKey(g.kind, g.apiVersion)] ??= {};
  for (const o of objects) (map[groupKey(o.kind, o.apiVersion)] ??= {})[objectKey(o)] = o;
  return map;
}

export interface SyncRequestParts {
  controller: KubeObject;
  parent: KubeObject;
  children: ObjectMap;
  related: ObjectMap;
  finalizing: boolean;
}

export function syncRequest(parts: SyncRequestParts): Record<string, unknown> {
  return { controller: parts.controller, parent: parts.parent, children: parts.children, related: parts.related, finalizing: parts.finalizing };
}

export function customizeRequest(controller: KubeObject, parent: KubeObject): Record<string, unknown> {
  return { controller, parent };
}

const SYNC_KEYS = new Set(['status', 'children', 'resyncAfterSeconds', 'finalized']);

export function parseSyncResponse(body: string): SyncResult {
  const json = parseObject(body);
  rejectUnknownKeys(json, SYNC_KEYS, 'response');
  const { status, children, resyncAfterSeconds, finalized } = json;
  if (status !== undefined && status !== null && !isRecord(status)) throw new HookResponseError('status must be an object');
  if (children !== undefined && children !== null && !Array.isArray(children)) throw new HookResponseError('children must be a list');
  if (resyncAfterSeconds !== undefined && (typeof resyncAfterSeconds !== 'number' || !Number.isFinite(resyncAfterSeconds))) {
    throw new HookResponseError('resyncAfterSeconds must be a number');
  }
  if (finalized !== undefined && typeof finalized !== 'boolean') throw new HookResponseError('finalized must be a boolean');
  const result: SyncResult = {
    status: (status as Record<string, unknown> | undefined) ?? null,
    children: ((children as unknown[] | null | undefined) ?? []).map((c, i) => desiredChild(c, i)),
    finalized: finalized === true,
  };
  if (typeof resyncAfterSeconds === 'number') result.resyncAfterSeconds = resyncAfterSeconds;
  return result;
}

const RULE_KEYS = new Set(['apiVersion', 'resource', 'labelSelector', 'namespaceSelector', 'namespace', 'names']);

export function parseCustomizeResponse(body: string): RelatedResourceRule[] {
  const json = parseObject(body);
  rejectUnknownKeys(json, new Set(['relatedResources']), 'response');
  const rules = json.relatedResources ?? [];
  if (!Array.isArray(rules)) throw new HookResponseError('relatedResources must be a list');
  return rules.map((raw, i) => relatedRule(raw, `relatedResources[${i}]`));
}

function relatedRule(raw: unknown, where: string): RelatedResourceRule {
  if (!isRecord(raw)) throw new HookResponseError(`${where} must be an object`);
  rejectUnknownKeys(raw, RULE_KEYS, where);
  if (typeof raw.apiVersion !== 'string' || !raw.apiVersion) throw new HookResponseError(`${where}.apiVersion is required`);
  if (typeof raw.resource !== 'string' || !raw.resource) throw new HookResponseError(`${where}.resource is required`);
  if (raw.namespaceSelector !== undefined && raw.namespaceSelector !== null)
    throw new HookResponseError(`${where}.namespaceSelector is not supported by the runner`);
  const rule: RelatedResourceRule = { apiVersion: raw.apiVersion, resource: raw.resource };
  if (raw.namespace !== undefined && raw.namespace !== '') {
    if (typeof raw.namespace !== 'string') throw new HookResponseError(`${where}.namespace must be a string`);
    rule.namespace = raw.namespace;
  }
  if (raw.names !== undefined && raw.names !== null) {
    if (!Array.isArray(raw.names) || !raw.names.every((n) => typeof n === 'string')) throw new HookResponseError(`${where}.names must be a list of strings`);
    if (raw.names.length > 0) rule.names = raw.names;
  }
  if (raw.labelSelector !== undefined && raw.labelSelector !== null) {
    if (rule.names) throw new HookResponseError(`${where}: names cannot be combined with labelSelector`);
    rule.labelSelector = labelSelector(raw.labelSelector, `${where}.labelSelector`);
  }
  return rule;
}

function labelSelector(raw: unknown, where: string): LabelSelector {
  if (!isRecord(raw)) throw new HookResponseError(`${where} must be an object`);
  rejectUnknownKeys(raw, new Set(['matchLabels', 'matchExpressions']), where);
  const selector: LabelSelector = {};
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isRecord(raw.matchLabels) || !Object.values(raw.matchLabels).every((v) => typeof v === 'string'))
      throw new HookResponseError(`${where}.matchLabels must map strings to strings`);
    selector.matchLabels = raw.matchLabels as Record<string, string>;
  }
  if (raw.matchExpressions !== undefined && raw.matchExpressions !== null) {
    if (!Array.isArray(raw.matchExpressions)) throw new HookResponseError(`${where}.matchExpressions must be a list`);
    selector.matchExpressions = raw.matchExpressions.map((e, i) => {
      const at = `${where}.matchExpressions[${i}]`;
      if (!isRecord(e) || typeof e.key !== 'string' || !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator as string)) {
        throw new HookResponseError(`${at} needs a key and an operator In, NotIn, Exists or DoesNotExist`);
      }
      const values = e.values ?? [];
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new HookResponseError(`${at}.values must be a list of strings`);
      return { key: e.key, operator: e.operator as 'In', values };
    });
  }
  return selector;
}

function desiredChild(raw: unknown, index: number): KubeObject {
  const where = `children[${index}]`;
  if (!isRecord(raw)) throw new HookResponseError(`${where} must be an object`);
  if (typeof raw.apiVersion !== 'string' || !raw.apiVersion || typeof raw.kind !== 'string' || !raw.kind) {
    throw new HookResponseError(`${where} needs apiVersion and kind`);
  }
  if (!isRecord(raw.metadata) || typeof raw.metadata.name !== 'string' || !raw.metadata.name) throw new HookResponseError(`${where}.metadata.name is required`);
  return raw as unknown as KubeObject;
}

function parseObject(body: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new HookResponseError('the response body is not JSON');
  }
  if (!isRecord(json)) throw new HookResponseError('the response body is not a JSON object');
  return json;
}

function rejectUnknownKeys(object: Record<string, unknown>, allowed: ReadonlySet<string>, where: string): void {
  const unknown = Object.keys(object).filter((k) => !allowed.has(k));
  if (unknown.length > 0)
    throw new HookResponseError(`strict validation failed: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')} in ${where}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
