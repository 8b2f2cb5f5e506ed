import { childOwnerUid, childScope, claimsChild, ruleScope, ruleSelects, scopeKey, selectorMatches, selectorQuery } from '../../../src/runner/selection.js';
import type { KubeObject } from '../../../src/runner/types.js';

const object = (namespace: string, name: string, labels: Record<string, string> = {}, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, labels, ...extra },
});

describe('label selectors', () => {
  const selector = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In' as const, values: ['front', 'edge'] },
      { key: 'legacy', operator: 'DoesNotExist' as const },
      { key: 'team', operator: 'Exists' as const },
      { key: 'env', operator: 'NotIn' as const, values: ['dev'] },
    ],
  };

  it.each([
    [{ app: 'web', tier: 'front', team: 'a' }, true],
    [{ app: 'web', tier: 'edge', team: 'a', env: 'prod' }, true],
    [{ app: 'api', tier: 'front', team: 'a' }, false],
    [{ app: 'web', tier: 'back', team: 'a' }, false],
    [{ app: 'web', tier: 'front', team: 'a', legacy: 'yes' }, false],
    [{ app: 'web', tier: 'front' }, false],
    [{ app: 'web', tier: 'front', team: 'a', env: 'dev' }, false],
  ])('%j → %s', (labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  it('no selector and an empty one select everything', () => {
    expect(selectorMatches(undefined, undefined)).toBe(true);
    expect(selectorMatches({}, { a: 'b' })).toBe(true);
  });

  it('renders the API query syntax, labels sorted', () => {
    expect(selectorQuery(selector)).toBe('app=web,tier in (edge,front),!legacy,team,env notin (dev)');
    expect(selectorQuery({ matchLabels: { z: '1', a: '2' } })).toBe('a=2,z=1');
    expect(selectorQuery(undefined)).toBe('');
  });
});

describe('related rules (v2 semantics)', () => {
  it('namespace, names and labels each narrow the selection', () => {
    const rule = { apiVersion: 'v1', resource: 'secrets', namespace: 'team-a', names: ['github-token'] };
    expect(ruleSelects(rule, object('team-a', 'github-token'))).toBe(true);
    expect(ruleSelects(rule, object('team-b', 'github-token'))).toBe(false);
    expect(ruleSelects(rule, object('team-a', 'other'))).toBe(false);
    const everywhere = { apiVersion: 'v1', resource: 'secrets', labelSelector: { matchLabels: { a: 'b' } } };
    expect(ruleSelects(everywhere, object('any', 'x', { a: 'b' }))).toBe(true);
    expect(ruleSelects(everywhere, object('any', 'x', { a: 'c' }))).toBe(false);
  });

  it('a rule naming one object in one namespace watches only that object', () => {
    expect(ruleScope({ apiVersion: 'v1', resource: 'secrets', namespace: 'team-a', names: ['github-token'] })).toEqual({
      apiVersion: 'v1',
      resource: 'secrets',
      namespace: 'team-a',
      fieldSelector: 'metadata.name=github-token',
      labelSelector: '',
    });
    expect(ruleScope({ apiVersion: 'v1', resource: 'secrets', namespace: 'team-a', names: ['a', 'b'] }).fieldSelector).toBe('');
    expect(ruleScope({ apiVersion: 'v1', resource: 'secrets', names: ['a'] })).toEqual({
      apiVersion: 'v1',
      resource: 'secrets',
      namespace: '',
      fieldSelector: '',
      labelSelector: '',
    });
    expect(ruleScope({ apiVersion: 'x/v1', resource: 'ys', namespace: 'n', labelSelector: { matchLabels: { a: 'b' } } }).labelSelector).toBe('a=b');
  });

  it('identical scopes share one key; different ones do not', () => {
    const a = ruleScope({ apiVersion: 'v1', resource: 'secrets', namespace: 'n', names: ['t'] });
    const b = ruleScope({ apiVersion: 'v1', resource: 'secrets', namespace: 'n', names: ['t'] });
    expect(scopeKey(a)).toBe(scopeKey(b));
    expect(scopeKey(a)).toBe('v1|secrets|n|metadata.name=t|');
    expect(scopeKey(ruleScope({ apiVersion: 'v1', resource: 'secrets', namespace: 'm', names: ['t'] }))).not.toBe(scopeKey(a));
  });
});

describe('children', () => {
  const parent: KubeObject = {
    apiVersion: 'environments.kuberik.com/v1alpha1',
    kind: 'Environment',
    metadata: { name: 'prod', namespace: 'team-a', uid: 'u-1' },
  };
  const ours = { controller: true, uid: 'u-1', apiVersion: 'x', kind: 'Environment', name: 'prod' };
  const theirs = { controller: true, uid: 'u-2', apiVersion: 'x', kind: 'Environment', name: 'other' };

  it('are watched cluster-wide by the existence of the generated label', () => {
    expect(childScope({ apiVersion: 'kuberik.com/v1alpha1', resource: 'rolloutgates' })).toEqual({
      apiVersion: 'kuberik.com/v1alpha1',
      resource: 'rolloutgates',
      namespace: '',
      fieldSelector: '',
      labelSelector: 'controller-uid',
    });
  });

  it('are claimed by label in the parent namespace unless another controller owns them', () => {
    expect(claimsChild(parent, object('team-a', 'g', { 'controller-uid': 'u-1' }))).toBe(true);
    expect(claimsChild(parent, object('team-a', 'g', { 'controller-uid': 'u-1' }, { ownerReferences: [ours] }))).toBe(true);
    expect(claimsChild(parent, object('team-a', 'g', { 'controller-uid': 'u-1' }, { ownerReferences: [theirs] }))).toBe(false);
    expect(claimsChild(parent, object('team-a', 'g', { 'controller-uid': 'u-9' }))).toBe(false);
    expect(claimsChild(parent, object('team-b', 'g', { 'controller-uid': 'u-1' }))).toBe(false);
  });

  it('events go to the controller reference, else to the label', () => {
    expect(childOwnerUid(object('team-a', 'g', { 'controller-uid': 'u-1' }, { ownerReferences: [theirs] }))).toBe('u-2');
    expect(childOwnerUid(object('team-a', 'g', { 'controller-uid': 'u-1' }))).toBe('u-1');
    expect(childOwnerUid(object('team-a', 'g'))).toBeUndefined();
  });
});
