import type { KubeObject } from '../../../src/kube/types.js';
import { concernedEnvironments } from '../../../src/receiver/targets.js';

function env(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'environments.kuberik.com/v1alpha1', kind: 'Environment', metadata: { namespace, name }, spec };
}
const goForm = (namespace: string, name: string, environment: string, relationship?: string, project = 'acme/shop', app = 'my-app') =>
  env(namespace, name, {
    name: app,
    environment,
    rolloutRef: { name: app },
    backend: { type: 'github', project },
    ...(relationship ? { relationship: { environment: relationship, type: 'After' } } : {}),
  });

const ENVIRONMENTS = [
  goForm('team-a', 'dev', 'dev'),
  goForm('team-a', 'staging', 'staging', 'dev'),
  goForm('team-a', 'production', 'production', 'staging'),
  goForm('team-a', 'other-app-staging', 'staging', undefined, 'acme/shop', 'other-app'),
  goForm('team-a', 'other-repo-staging', 'staging', undefined, 'acme/other'),
  // kuberik's docs form: spec.name is the environment, the Rollout names the application.
  env('team-b', 'prod', {
    name: 'production',
    rolloutRef: { name: 'my-app' },
    backend: { type: 'github', project: 'Acme/Shop' },
    relationship: { environment: 'staging', type: 'After' },
  }),
];

describe('concernedEnvironments', () => {
  it('an event on staging concerns staging, its upstream and its downstreams, in every namespace; not other applications or repositories', () => {
    expect(concernedEnvironments({ repository: 'acme/shop', application: 'kuberik/my-app', environment: 'staging' }, ENVIRONMENTS)).toEqual([
      { namespace: 'team-a', name: 'dev' },
      { namespace: 'team-a', name: 'production' },
      { namespace: 'team-a', name: 'staging' },
      { namespace: 'team-b', name: 'prod' },
    ]);
  });

  it('an event on production (the end of the chain) concerns production and staging only', () => {
    expect(concernedEnvironments({ repository: 'acme/shop', application: 'kuberik/my-app', environment: 'production' }, ENVIRONMENTS)).toEqual([
      { namespace: 'team-a', name: 'production' },
      { namespace: 'team-a', name: 'staging' },
      { namespace: 'team-b', name: 'prod' },
    ]);
  });

  it('an event of a repository no Environment names concerns none', () => {
    expect(concernedEnvironments({ repository: 'someone/else', application: 'kuberik/my-app', environment: 'staging' }, ENVIRONMENTS)).toEqual([]);
  });

  it('skips objects without a usable spec', () => {
    const broken = [env('x', 'a', {}), { apiVersion: 'v', kind: 'Environment', metadata: { name: 'b' } } as KubeObject];
    expect(concernedEnvironments({ repository: 'acme/shop', application: 'kuberik/my-app', environment: 'staging' }, broken)).toEqual([]);
  });
});
