import { belongsToApplication, deploymentName, deploymentTask, githubEnvironment, shortEnvironment } from '../../../src/core/naming.js';
import { fixture } from './helpers.js';

describe('deploymentName (spec §4)', () => {
  it('adds the kuberik/ prefix when absent', () => {
    expect(deploymentName('my-app')).toBe('kuberik/my-app');
  });
  it('keeps a name that already has the prefix', () => {
    expect(deploymentName('kuberik/my-app')).toBe('kuberik/my-app');
  });
  it('adds the prefix to a name that merely contains "kuberik"', () => {
    expect(deploymentName('kuberik-app')).toBe('kuberik/kuberik-app');
    expect(deploymentName('my/kuberik/app')).toBe('kuberik/my/kuberik/app');
  });
});

describe('deploymentTask and githubEnvironment', () => {
  it('forms the task deploy:kuberik/<name>', () => {
    expect(deploymentTask('my-app')).toBe('deploy:kuberik/my-app');
    expect(deploymentTask('kuberik/my-app')).toBe('deploy:kuberik/my-app');
  });
  it('forms the GitHub environment kuberik/<name>/<env>', () => {
    expect(githubEnvironment('my-app', 'staging')).toBe('kuberik/my-app/staging');
    expect(githubEnvironment('kuberik/my-app', 'production')).toBe('kuberik/my-app/production');
  });
  it('matches what the Go controller wrote in the fixture', () => {
    for (const d of fixture.deployments) {
      expect(deploymentTask('my-app')).toBe(d.task);
      expect(githubEnvironment('my-app', shortEnvironment(d.environment))).toBe(d.environment);
    }
  });
});

describe('shortEnvironment', () => {
  it('is the last /-separated segment', () => {
    expect(shortEnvironment('kuberik/my-app/staging')).toBe('staging');
    expect(shortEnvironment('kuberik/my-app/production')).toBe('production');
    expect(shortEnvironment('a/b/c/d')).toBe('d');
  });
  it('is the whole name when there is no slash', () => {
    expect(shortEnvironment('production')).toBe('production');
  });
  it('is empty for a trailing slash', () => {
    expect(shortEnvironment('kuberik/my-app/')).toBe('');
  });
});

describe('belongsToApplication', () => {
  it.each([
    ['my-app', 'kuberik/my-app/staging', true],
    ['kuberik/my-app', 'kuberik/my-app/production', true],
    ['my-app', 'kuberik/my-app', false],
    ['my-app', 'kuberik/my-app/', false],
    ['my-app', 'kuberik/my-app/a/b', false],
    ['my-app', 'kuberik/my-app-2/staging', false],
    ['my-app', 'kuberik/other/staging', false],
    ['my-app', 'my-app/staging', false],
    ['my-app', 'staging', false],
  ])('spec.name %j, GitHub environment %j → %j', (specName, env, expected) => {
    expect(belongsToApplication(specName, env)).toBe(expected);
  });
});
