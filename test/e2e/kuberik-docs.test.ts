/**
 * Issue 12 items 1 and 6 on real API servers: kuberik's docs' staging and production
 * Environments (test/fixtures/kuberik-docs/, no spec.environment) applied verbatim with
 * kubectl in two clusters promote a version from one to the other through GitHub (the
 * emulator), and an upstream record with malformed values does not stop production's status
 * write.
 */
import { join } from 'node:path';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { KUBERIK_DOCS_DIR } from '../support/fixtures.js';
import { SETUP_TIMEOUT_MS, site, startMember, stopMember, type Member } from './control-plane/member.js';
import { eventually, getJson, type Site } from './scenario/scenario.js';

const TOKEN = 'ghp_e2eDocsToken0123456789abcdefABCDEFGH';
/** The docs' backend.project and application (rolloutRef.name). */
const REPOSITORY = 'org/repo';
const APPLICATION = 'kuberik/my-app';
const TASK = 'deploy:kuberik/my-app';
const GATE = 'my-app-production-gate';
const V1 = { tag: 'v1.2.0', revision: '1d8ac5c3f2f6b8f0c9a0e7d2b4a6c8e0f1a3b5c7' };
const V2 = { tag: 'v1.3.0', revision: '7e2b9d4f6a8c0e1f3a5b7c9d1e3f5a7b9c0d2e4f' };
const HOSTILE_REVISION = 'badbadbadbadbadbadbadbadbadbadbadbadbad0';
/** The docs' objects keep the default requeueInterval (1m): production may only look again after a minute. */
const CONVERGE_MS = 100_000;
const STEP_TIMEOUT_MS = 2 * CONVERGE_MS + 20_000;

/** The Rollout and the Secret the docs' objects name (the docs leave them to the reader). */
function prerequisites(): string {
  const rollout = { apiVersion: 'kuberik.com/v1alpha1', kind: 'Rollout', metadata: { name: 'my-app' }, spec: { releasesImagePolicy: { name: 'my-app' } } };
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-credentials' }, type: 'Opaque', stringData: { token: TOKEN } };
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [rollout, secret] });
}

async function setRollout(s: Site, history: { id: number; version: typeof V1; bakeStatus: string; at: string }[], candidates: (typeof V1)[]): Promise<void> {
  const status = {
    history: history.map((h) => ({ id: h.id, version: h.version, timestamp: h.at, message: 'Automatic deployment', bakeStatus: h.bakeStatus })),
    releaseCandidates: candidates,
  };
  await s.kubectl(['patch', 'rollout', 'my-app', '-n', s.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

describe("kuberik docs' Environments, verbatim, across two clusters", () => {
  let github: GitHubEmulator;
  let stagingMember: Member | undefined;
  let productionMember: Member | undefined;
  let staging: Site;
  let production: Site;

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(REPOSITORY, { commits: [V1.revision, V2.revision] });
    const started = await Promise.allSettled([startMember('staging', github), startMember('production', github)]);
    [stagingMember, productionMember] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !stagingMember || !productionMember) throw failure?.reason;
    staging = site(stagingMember, 'staging');
    production = site(productionMember, 'production');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([stopMember(stagingMember), stopMember(productionMember)]);
    await github?.close();
  }, 60_000);

  const ours = (environment: string) => github.deployments(REPOSITORY).filter((d) => d.environment === `${APPLICATION}/${environment}` && d.task === TASK);
  const latest = (d: { statuses: { state: string }[] }) => d.statuses.at(-1)?.state;

  test(
    '1. the objects apply with kubectl as the docs write them, and staging publishes to kuberik/my-app/staging',
    async () => {
      for (const [s, file] of [
        [staging, 'staging.yaml'],
        [production, 'production.yaml'],
      ] as const) {
        await s.kubectl(['apply', '-n', s.namespace, '-f', '-'], prerequisites());
        const applied = await s.kubectl(['apply', '-n', s.namespace, '-f', join(KUBERIK_DOCS_DIR, file)]);
        expect(applied.trim()).toBe(`environment.environments.kuberik.com/my-app-${s.environment} created`);
      }
      await setRollout(production, [], [V2, V1]);
      await setRollout(staging, [{ id: 1, version: V1, bakeStatus: 'Succeeded', at: '2026-11-26T10:00:00Z' }], []);
      const published = await eventually('staging deployment of v1.2.0 succeeded', CONVERGE_MS, async () => {
        const [d] = ours('staging');
        return d && latest(d) === 'success' ? d : undefined;
      });
      expect([published.sha, published.production_environment]).toEqual([V1.revision, false]);
      const env = await eventually('staging status', CONVERGE_MS, async () => {
        const e = await getJson(staging, 'environments.environments.kuberik.com', 'my-app-staging');
        return e?.status?.application ? e : undefined;
      });
      expect([env.status.application, env.status.environment]).toEqual([APPLICATION, 'staging']);
    },
    STEP_TIMEOUT_MS,
  );

  test('2. the API server refuses a status with a malformed date-time (what sanitising protects against)', async () => {
    const bad = {
      environmentInfos: [{ environment: 'x', history: [{ id: 1, version: { tag: 'v', created: 'yesterday' }, timestamp: '2026-11-26T10:00:00Z' }] }],
    };
    await expect(
      production.kubectl([
        'patch',
        'environments.environments.kuberik.com',
        'my-app-production',
        '-n',
        production.namespace,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: bad }),
      ]),
    ).rejects.toThrow(/created/);
  });

  test(
    "3. an upstream record with bad values: production's status is still written, sanitised, and its gate opens for v1.2.0",
    async () => {
      // Another writer of our task put a record with malformed values into staging, after staging's own entry.
      github.seedDeployment(REPOSITORY, {
        sha: HOSTILE_REVISION,
        task: TASK,
        environment: `${APPLICATION}/staging`,
        created_at: new Date(Date.now() + 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
        payload: JSON.stringify({
          id: '99',
          version: { tag: `v9-${'x'.repeat(3000)}`, revision: HOSTILE_REVISION, created: 'yesterday', digest: 'sha256:\uD800' },
        }),
        statuses: [{ state: 'success', description: 'Bake succeeded', created_at: new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z') }],
      });
      // Production learns about staging only from GitHub: a change to its Rollout makes it look now.
      await production.kubectl(['annotate', 'rollout', 'my-app', '-n', production.namespace, '--overwrite', `e2e/poke=${Date.now()}`]);
      const allowed = await eventually('production gate allowing v1.2.0', CONVERGE_MS, async () => {
        const gate = await getJson(production, 'rolloutgates.kuberik.com', GATE);
        return gate?.spec?.allowedVersions?.length ? gate.spec.allowedVersions : undefined;
      });
      expect(allowed).toEqual([V1.tag]);
      const hostile = await eventually("production's status with the malformed staging record", CONVERGE_MS, async () => {
        const e = await getJson(production, 'environments.environments.kuberik.com', 'my-app-production');
        const info = e?.status?.environmentInfos?.find((i: { environment: string }) => i.environment === 'staging');
        return info?.history?.find((h: { id: number }) => h.id === 99);
      });
      expect(hostile.version.created).toBeUndefined();
      expect(hostile.version.revision).toBe(HOSTILE_REVISION);
      expect(Array.from(hostile.version.tag as string)).toHaveLength(255);
      const env = await getJson(production, 'environments.environments.kuberik.com', 'my-app-production');
      expect([env.status.application, env.status.environment]).toEqual([APPLICATION, 'production']);
    },
    STEP_TIMEOUT_MS,
  );

  test(
    '4. production deploys the promoted version: recorded in kuberik/my-app/production; kubectl get shows the resolved identity',
    async () => {
      await setRollout(production, [{ id: 1, version: V1, bakeStatus: 'Succeeded', at: '2026-11-26T11:00:00Z' }], [V2, V1]);
      const promoted = await eventually('production deployment of v1.2.0 succeeded', CONVERGE_MS, async () => {
        const [d] = ours('production');
        return d && latest(d) === 'success' ? d : undefined;
      });
      expect([promoted.sha, promoted.production_environment]).toEqual([V1.revision, true]);
      const table = await eventually('production Ready with its version', CONVERGE_MS, async () => {
        const out = await production.kubectl(['get', 'environments', '-n', production.namespace]);
        return /\bTrue\b/.test(out) && out.includes(V1.tag) ? out : undefined;
      });
      const [headerLine, ...rows] = table.trim().split('\n');
      const header = headerLine!.trim().split(/\s{2,}/);
      const row = rows[0]!.trim().split(/\s{2,}/);
      const cell = (column: string) => row[header.indexOf(column)];
      expect([cell('NAME'), cell('APPLICATION'), cell('ENVIRONMENT'), cell('UPSTREAM'), cell('VERSION'), cell('READY')]).toEqual([
        'my-app-production',
        APPLICATION,
        'production',
        'staging',
        V1.tag,
        'True',
      ]);
    },
    STEP_TIMEOUT_MS,
  );
});
