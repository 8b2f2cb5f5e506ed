import { groupVersionPath, isAlreadyExists, isConflict, isNotFound, KubeApiError, resourcePath } from '../../../src/kube/api.js';

const environments = { apiVersion: 'environments.kuberik.com/v1alpha1', resource: 'environments', kind: 'Environment', namespaced: true };
const secrets = { apiVersion: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true };
const nodes = { apiVersion: 'v1', resource: 'nodes', kind: 'Node', namespaced: false };

describe('REST paths', () => {
  it('core group under /api, others under /apis', () => {
    expect(groupVersionPath('v1')).toBe('/api/v1');
    expect(groupVersionPath('kuberik.com/v1alpha1')).toBe('/apis/kuberik.com/v1alpha1');
  });

  it.each([
    [environments, 'team-a', undefined, undefined, '/apis/environments.kuberik.com/v1alpha1/namespaces/team-a/environments'],
    [environments, undefined, undefined, undefined, '/apis/environments.kuberik.com/v1alpha1/environments'],
    [environments, 'team-a', 'prod', 'status', '/apis/environments.kuberik.com/v1alpha1/namespaces/team-a/environments/prod/status'],
    [secrets, 'team-a', 'github-token', undefined, '/api/v1/namespaces/team-a/secrets/github-token'],
    [nodes, 'ignored', 'n1', undefined, '/api/v1/nodes/n1'],
  ])('%#: %s', (info, namespace, name, subresource, expected) => {
    expect(resourcePath(info, namespace, name, subresource)).toBe(expected);
  });
});

describe('API error classes', () => {
  it('tells NotFound, Conflict and AlreadyExists apart (both 409s)', () => {
    const conflict = new KubeApiError(409, 'Conflict', 'x');
    const exists = new KubeApiError(409, 'AlreadyExists', 'x');
    const missing = new KubeApiError(404, 'NotFound', 'x');
    expect([isConflict(conflict), isAlreadyExists(conflict), isNotFound(conflict)]).toEqual([true, false, false]);
    expect([isConflict(exists), isAlreadyExists(exists), isNotFound(exists)]).toEqual([false, true, false]);
    expect([isConflict(missing), isAlreadyExists(missing), isNotFound(missing)]).toEqual([false, false, true]);
    expect(isNotFound(new Error('404'))).toBe(false);
  });
});
