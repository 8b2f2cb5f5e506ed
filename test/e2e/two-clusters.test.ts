/**
 * Two real Kubernetes API servers ("staging" and "production" clusters) that cannot see each
 * other, one GitHub (the emulator) shared by both. Each cluster runs our CRDs and manifests,
 * the service, and the Metacontroller-compatible runner under its own RBAC.
 */
import { execFile } from 'node:child_process';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { RUNNER_NAMESPACE, RUNNER_SERVICE_ACCOUNT, SETUP_TIMEOUT_MS, site, startMember, stopMember, type Member } from './control-plane/member.js';
import { defineScenario, REPOSITORY, REVISIONS, type ScenarioTarget } from './scenario/scenario.js';

const TOKEN = 'ghp_e2eScenarioToken0123456789abcdefABCD';

describe('staging → production across two clusters through GitHub', () => {
  let github: GitHubEmulator;
  let staging: Member | undefined;
  let production: Member | undefined;
  let target: ScenarioTarget;

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(REPOSITORY, { commits: Object.values(REVISIONS) });
    const started = await Promise.allSettled([startMember('staging', github), startMember('production', github)]);
    [staging, production] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !staging || !production) throw failure?.reason;
    target = {
      staging: site(staging, 'staging'),
      production: site(production, 'production'),
      github,
      token: TOKEN,
      convergeMs: 60_000,
    };
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([stopMember(staging), stopMember(production)]);
    await github?.close();
  }, 60_000);

  defineScenario(() => target);

  test('6. the runner works with only the permissions its manifest grants', async () => {
    const kubeconfig = await production!.cluster.tokenKubeconfig(RUNNER_NAMESPACE, RUNNER_SERVICE_ACCOUNT);
    // `kubectl auth can-i` prints yes or no, and exits 1 for no.
    const canI = (...args: string[]): Promise<string> =>
      new Promise((resolve) => {
        execFile('kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', ...args], (_error, stdout, stderr) => resolve(stdout.trim() || stderr.trim()));
      });
    expect(await canI('update', 'environments.environments.kuberik.com', '--subresource=status', '-n', 'default')).toBe('yes');
    expect(await canI('patch', 'environments.environments.kuberik.com', '--subresource=status', '-n', 'default')).toBe('no');
    expect(await canI('patch', 'environments.environments.kuberik.com', '-n', 'default')).toBe('no');
    expect(await canI('create', 'rolloutgates.kuberik.com', '-n', 'default')).toBe('yes');
    expect(await canI('delete', 'namespaces')).toBe('no');
    expect(await canI('create', 'deployments.apps', '-n', 'default')).toBe('no');
    expect(await canI('update', 'rollouts.kuberik.com', '-n', 'default')).toBe('no');
  });
});
