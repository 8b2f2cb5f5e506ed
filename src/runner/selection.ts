/**
 * Which objects belong to a parent: label selectors, /customize rules (v2 semantics) and
 * generated-selector children, plus the narrowest watch that can observe each.
 */
import type { ListScope } from '../kube/types.js';
import type { KubeObject, LabelSelector, RelatedResourceRule, ResourceRef } from './types.js';

/** The label Metacontroller's `generateSelector` puts on every child. */
export const CONTROLLER_UID_LABEL = 'controller-uid';

export function selectorMatches(selector: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const own = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (own[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(own, e.key);
    const values = e.values ?? [];
    const ok =
      e.operator === 'Exists'
        ? present
        : e.operator === 'DoesNotExist'
          ? !present
          : e.operator === 'In'
            ? present && values.includes(own[e.key] as string)
            : !present || !values.includes(own[e.key] as string);
    if (!ok) return false;
  }
  return true;
}

/** The selector in the API's query syntax (`a=b,c in (d,e),!f`); '' selects everything. */
export function selectorQuery(selector: LabelSelector | null | undefined): string {
  if (!selector) return '';
  const parts = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${values})`);
  }
  return parts.join(',');
}

/**
 * Whether `object` (already known to be of the rule's resource) is selected by the rule,
 * as Metacontroller's v2 customize selection does: `namespace` restricts to one namespace
 * (absent: all), `names` to those names, `labelSelector` to matching labels.
 */
export function ruleSelects(rule: RelatedResourceRule, object: KubeObject): boolean {
  if (rule.namespace && object.metadata.namespace !== rule.namespace) return false;
  if (rule.names && !rule.names.includes(object.metadata.name)) return false;
  return selectorMatches(rule.labelSelector, object.metadata.labels);
}

/** One watch of one resource: a namespace ('' = all), optionally narrowed by field and label selectors. */
export interface WatchScope extends ResourceRef, ListScope {}

export function scopeKey(scope: WatchScope): string {
  return [scope.apiVersion, scope.resource, scope.namespace, scope.fieldSelector, scope.labelSelector].join('|');
}

/**
 * The narrowest watch that sees everything a rule selects. A rule naming one object in one
 * namespace watches only that object, so e.g. a token Secret rule never loads every Secret.
 */
export function ruleScope(rule: RelatedResourceRule): WatchScope {
  const single = rule.namespace && rule.names?.length === 1 ? rule.names[0] : undefined;
  return {
    apiVersion: rule.apiVersion,
    resource: rule.resource,
    namespace: rule.namespace ?? '',
    fieldSelector: single ? `metadata.name=${single}` : '',
    labelSelector: selectorQuery(rule.labelSelector),
  };
}

/** Children of every parent: all objects of the child resource carrying the generated label. */
export function childScope(ref: ResourceRef): WatchScope {
  return { apiVersion: ref.apiVersion, resource: ref.resource, namespace: '', fieldSelector: '', labelSelector: CONTROLLER_UID_LABEL };
}

/**
 * The children a parent claims: same namespace, `controller-uid=<parent uid>`, and not
 * controlled by another owner.
 */
export function claimsChild(parent: KubeObject, child: KubeObject): boolean {
  if ((child.metadata.namespace ?? '') !== (parent.metadata.namespace ?? '')) return false;
  if (child.metadata.labels?.[CONTROLLER_UID_LABEL] !== parent.metadata.uid) return false;
  const controller = child.metadata.ownerReferences?.find((r) => r.controller === true);
  return controller === undefined || controller.uid === parent.metadata.uid;
}

/** The parent a child event concerns: its controller reference, else its generated label. */
export function childOwnerUid(child: KubeObject): string | undefined {
  return child.metadata.ownerReferences?.find((r) => r.controller === true)?.uid ?? child.metadata.labels?.[CONTROLLER_UID_LABEL];
}
