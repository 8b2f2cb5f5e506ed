/**
 * The real Metacontroller (v4.12.0, built by control-plane/provision-metacontroller.sh) drives
 * the hooks in two real API servers, "staging" and "production", that share only GitHub (the
 * emulator). Each runs the CompositeController of manifests/controller/ with `url:` webhooks to
 * its own service, behind a HookProxy that records what Metacontroller sends. The scenario
 * (test/e2e/scenario/) runs first; then the in-place gate update, a Metacontroller killed
 * mid-flight, the service restarted during syncs, kuberik's docs example, and promotion latency
 * measured as test/e2e/promotion-latency.test.ts measures it for the runner.
 *
 * There is no way to pass without Metacontroller: set-up fails when it cannot be provisioned
 * (E2E_SKIP_METACONTROLLER=1 leaves this file out instead, docs/e2e.md), and the suite checks
 * that each cluster's service answered hook calls.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { KUBERIK_DOCS_DIR } from '../support/fixtures.js';
import { SETUP_TIMEOUT_MS } from './control-plane/member.js';
import { parentOf, type HookCall } from './control-plane/hook-proxy.js';
import { ensureMetacontroller, METACONTROLLER_VERSION } from './control-plane/metacontroller.js';
import { metacontrollerSite, startMetacontrollerMember, type MetacontrollerMember } from './control-plane/metacontroller-member.js';
import {
  LATENCY_APPLICATIONS,
  LATENCY_REPOSITORY,
  LATENCY_REVISION,
  LATENCY_TARGET_MS,
  LATENCY_TEST_TIMEOUT_MS,
  measurePromotionLatency,
} from './scenario/promotion-latency.js';
import {
  allowedVersions,
  defineScenario,
  ENVIRONMENTS,
  eventually,
  GATE,
  getJson,
  REPOSITORY,
  REVISIONS,
  setRolloutStatus,
  siteManifests,
  type ScenarioTarget,
  type Site,
} from './scenario/scenario.js';

const TOKEN = 'ghp_e2eMetacontrollerToken0123456789abcd';
const CONVERGE_MS = 60_000;
/** A first build of Metacontroller (about 3 minutes, plus apt) may happen in set-up. */
const PROVISION_TIMEOUT_MS = 20 * 60_000;
const ENVIRONMENT_KIND = 'environments.environments.kuberik.com';
const GATE_KIND = 'rolloutgates.kuberik.com';
const RESTARTS = 'restarts';
const RESTART_APP = 'restart-app';
const DOCS = 'docs';
const DOCS_REPOSITORY = 'org/repo';
const DOCS_V1 = { tag: 'v1.2.0', revision: REVISIONS['v1.2.0'] };
/** The docs' objects keep the default requeueInterval (1m). */
const DOCS_CONVERGE_MS = 100_000;

const latest = (d: { statuses: { state: string }[] }) => d.statuses.at(-1)?.state;
const inNamespace = (s: Site, namespace: string): Site => ({ ...s, namespace });

/** The scenario's objects for a second application in namespace `restarts` (its own GitHub environments). */
async function restartManifests(site: Site): Promise<string> {
  return parseAllDocuments(await siteManifests(site, TOKEN))
    .map((doc) => doc.toJS() as Record<string, any>)
    .map((o) => (o.kind === 'Environment' ? { ...o, spec: { ...o.spec, name: RESTART_APP } } : o))
    .map((o) => stringify(o))
    .join('---\n');
}

function rolloutVersionOf(call: HookCall): number {
  const rollouts = Object.values<{ metadata: { resourceVersion: string } }>(call.body.related?.['Rollout.kuberik.com/v1alpha1'] ?? {});
  return Math.max(...rollouts.map((r) => Number(r.metadata.resourceVersion)));
}

describe(`the real Metacontroller v${METACONTROLLER_VERSION} drives the hooks in two clusters`, () => {
  let github: GitHubEmulator;
  let stagingMember: MetacontrollerMember | undefined;
  let productionMember: MetacontrollerMember | undefined;
  let target: ScenarioTarget;

  const members = (): MetacontrollerMember[] => [stagingMember!, productionMember!];
  const deploymentsOf = (repository: string, environment: string) => github.deployments(repository).filter((d) => d.environment === environment);

  beforeAll(async () => {
    await ensureMetacontroller();
    github = await GitHubEmulator.start({ tokens: [TOKEN] });
    github.addRepository(REPOSITORY, { commits: Object.values(REVISIONS) });
    github.addRepository(DOCS_REPOSITORY, { commits: [DOCS_V1.revision] });
    github.addRepository(LATENCY_REPOSITORY, { commits: [LATENCY_REVISION] });
    const started = await Promise.allSettled([startMetacontrollerMember('staging', github), startMetacontrollerMember('production', github)]);
    [stagingMember, productionMember] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || !stagingMember || !productionMember) throw failure?.reason;
    target = {
      staging: metacontrollerSite(stagingMember, 'staging'),
      production: metacontrollerSite(productionMember, 'production'),
      github,
      token: TOKEN,
      convergeMs: CONVERGE_MS,
    };
  }, PROVISION_TIMEOUT_MS + SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([stagingMember?.stop(), productionMember?.stop()]);
    await github?.close();
  }, 60_000);

  defineScenario(() => target);

  test(`v${METACONTROLLER_VERSION} sends the v1 request format although the hooks say v2: related and children keyed by bare name`, async () => {
    const production = productionMember!.proxy.calls.filter((c) => c.body.parent.metadata.namespace === 'default' && c.status === 200);
    const customize = production.find((c) => c.path === '/customize')!;
    expect(Object.keys(customize.body).sort()).toEqual(['controller', 'parent']);
    expect(customize.body.controller.spec.hooks.sync.version).toBe('v2');

    const sync = production.find((c) => c.path === '/sync' && Object.keys(c.body.children['RolloutGate.kuberik.com/v1alpha1'] ?? {}).length > 0)!;
    expect(Object.keys(sync.body).sort()).toEqual(['children', 'controller', 'finalizing', 'parent', 'related']);
    expect(Object.keys(sync.body.children['RolloutGate.kuberik.com/v1alpha1'])).toEqual([GATE]);
    expect(Object.keys(sync.body.related).sort()).toEqual(['Environment.environments.kuberik.com/v1alpha1', 'Rollout.kuberik.com/v1alpha1', 'Secret.v1']);
    expect(Object.keys(sync.body.related['Rollout.kuberik.com/v1alpha1'])).toEqual(['my-app']);
    expect(Object.keys(sync.body.related['Secret.v1'])).toEqual(['github-token']);
    expect(Object.keys(sync.body.related['Environment.environments.kuberik.com/v1alpha1'])).toEqual([ENVIRONMENTS.production]);

    const finalize = production.find((c) => c.path === '/finalize')!;
    expect(finalize.body.finalizing).toBe(true);
    expect(Object.keys(finalize.body.children['RolloutGate.kuberik.com/v1alpha1'])).toEqual([GATE]);

    // `E2E_RECORD_HOOKS_DIR=dir npm run test:e2e` keeps these requests (test/fixtures/metacontroller-hooks/ came from it).
    const recordTo = process.env.E2E_RECORD_HOOKS_DIR;
    if (recordTo) {
      await mkdir(recordTo, { recursive: true });
      for (const [file, call] of [
        ['customize-request.json', customize],
        ['sync-request.json', sync],
        ['finalize-request.json', finalize],
      ] as const) {
        await writeFile(join(recordTo, file), `${JSON.stringify(call.body, null, 2)}\n`);
      }
    }
  });

  describe('restarts, in a second application (namespace restarts)', () => {
    const staging = (): Site => inNamespace(target.staging, RESTARTS);
    const production = (): Site => inNamespace(target.production, RESTARTS);
    const stagingDeployments = () => deploymentsOf(REPOSITORY, `kuberik/${RESTART_APP}/staging`);

    test("Metacontroller killed while the sync that created staging's deployment is being answered: restarted, it leaves one deployment and writes the status", async () => {
      const member = stagingMember!;
      const killed = new Promise<HookCall>((resolve) => {
        member.proxy.beforeAnswer = async (call) => {
          if (call.path !== '/sync' || call.body.parent.metadata.namespace !== RESTARTS || stagingDeployments().length === 0) return;
          member.proxy.beforeAnswer = undefined;
          await member.metacontroller.kill();
          resolve(call);
        };
      });
      for (const site of [staging(), production()]) await site.kubectl(['create', 'namespace', RESTARTS]);
      await staging().kubectl(['apply', '-f', '-'], await restartManifests(staging()));
      await setRolloutStatus(staging(), [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Deploying', at: '2026-11-26T10:00:00Z' }], []);
      const unanswered = await killed;
      expect(unanswered.body.parent.metadata.name).toBe(ENVIRONMENTS.staging);
      const stagingHistory = async (): Promise<{ version: { tag: string } }[]> => {
        const environment = await getJson(staging(), ENVIRONMENT_KIND, ENVIRONMENTS.staging);
        return environment?.status?.environmentInfos?.find((i: { environment: string }) => i.environment === 'staging')?.history ?? [];
      };
      // The answer that would have recorded the deployment in the status never arrived.
      expect(await stagingHistory()).toEqual([]);

      await member.metacontroller.start();
      const written = await eventually('the status written by the restarted Metacontroller', CONVERGE_MS, async () => {
        const history = await stagingHistory();
        return history.length ? history : undefined;
      });
      expect(written.map((h) => h.version.tag)).toEqual(['v1.2.0']);
      expect(member.metacontroller.starts).toBe(2);
      expect(stagingDeployments().map((d) => [d.sha, latest(d)])).toEqual([[REVISIONS['v1.2.0'], 'in_progress']]);
    });

    test("Rollout change: staging's bake updates production's gate in place (same object, other writers' fields kept)", async () => {
      await production().kubectl(['apply', '-f', '-'], await restartManifests(production()));
      await setRolloutStatus(production(), [], ['v1.2.0', 'v1.3.0']);
      const closed = await eventually("production's closed gate", CONVERGE_MS, async () => getJson(production(), GATE_KIND, GATE));
      expect(closed.spec.allowedVersions).toEqual([]);
      await production().kubectl(['annotate', GATE_KIND, GATE, '-n', RESTARTS, 'example.com/owner=someone-else']);

      await setRolloutStatus(staging(), [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Succeeded', at: '2026-11-26T10:00:00Z' }], []);
      const opened = await eventually('production gate allowing v1.2.0', CONVERGE_MS, async () => {
        const gate = await getJson(production(), GATE_KIND, GATE);
        return gate?.spec?.allowedVersions?.length ? gate : undefined;
      });
      expect(opened.spec.allowedVersions).toEqual(['v1.2.0']);
      expect(opened.metadata.uid).toBe(closed.metadata.uid);
      expect(opened.metadata.annotations['example.com/owner']).toBe('someone-else');
      expect(stagingDeployments().map((d) => [d.sha, latest(d)])).toEqual([[REVISIONS['v1.2.0'], 'success']]);
    });

    test('the service restarted while Metacontroller syncs: the refused calls are retried and no change is lost', async () => {
      const member = stagingMember!;
      const stagingParent = `${RESTARTS}/${ENVIRONMENTS.staging}`;
      await member.stopService();
      await setRolloutStatus(
        staging(),
        [
          { id: 2, tag: 'v1.3.0', bakeStatus: 'Succeeded', at: '2026-11-26T12:00:00Z' },
          { id: 1, tag: 'v1.2.0', bakeStatus: 'Succeeded', at: '2026-11-26T10:00:00Z' },
        ],
        [],
      );
      const refusedChange = await eventually('a /sync of the change refused while the service is down', CONVERGE_MS, async () =>
        member.proxy.calls.find(
          (c) =>
            c.path === '/sync' &&
            c.status === 502 &&
            parentOf(c) === stagingParent &&
            Object.values<any>(c.body.related['Rollout.kuberik.com/v1alpha1']).some((r) => r.status?.history?.length === 2),
        ),
      );
      await member.startService();

      const promoted = await eventually('production gate allowing v1.3.0', CONVERGE_MS, async () => {
        const versions = await allowedVersions(production());
        return versions?.includes('v1.3.0') ? versions : undefined;
      });
      expect([...promoted].sort()).toEqual(['v1.2.0', 'v1.3.0']);
      // GitHub marks the older deployment inactive when the newer one succeeds (auto_inactive).
      expect(stagingDeployments().map((d) => [d.sha, latest(d)])).toEqual([
        [REVISIONS['v1.2.0'], 'inactive'],
        [REVISIONS['v1.3.0'], 'success'],
      ]);
      // Every refused call was followed by an answered one that saw at least as new a Rollout.
      const calls = member.proxy.calls;
      const refused = calls.filter((c) => c.status === 502);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused).toContain(refusedChange);
      for (const call of refused) {
        const index = calls.indexOf(call);
        const retried = calls
          .slice(index + 1)
          .some(
            (later) =>
              later.path === call.path && later.status === 200 && parentOf(later) === parentOf(call) && rolloutVersionOf(later) >= rolloutVersionOf(call),
          );
        expect([parentOf(call), call.path, retried]).toEqual([parentOf(call), call.path, true]);
      }
    });
  });

  test(
    "kuberik's docs example, applied verbatim with kubectl: staging publishes, production's gate opens",
    async () => {
      const [staging, production] = [inNamespace(target.staging, DOCS), inNamespace(target.production, DOCS)];
      for (const [site, file] of [
        [staging, 'staging.yaml'],
        [production, 'production.yaml'],
      ] as const) {
        await site.kubectl(['create', 'namespace', DOCS]);
        // The Rollout and the Secret the docs' objects name (the docs leave them to the reader).
        const rollout = {
          apiVersion: 'kuberik.com/v1alpha1',
          kind: 'Rollout',
          metadata: { name: 'my-app' },
          spec: { releasesImagePolicy: { name: 'my-app' } },
        };
        const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-credentials' }, type: 'Opaque', stringData: { token: TOKEN } };
        await site.kubectl(['apply', '-n', DOCS, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [rollout, secret] }));
        const applied = await site.kubectl(['apply', '-n', DOCS, '-f', join(KUBERIK_DOCS_DIR, file)]);
        expect(applied.trim()).toBe(`environment.environments.kuberik.com/my-app-${site.environment} created`);
      }
      const status = (history: object[], candidates: object[]) => JSON.stringify({ status: { history, releaseCandidates: candidates } });
      await production.kubectl(['patch', 'rollout', 'my-app', '-n', DOCS, '--subresource=status', '--type=merge', '-p', status([], [DOCS_V1])]);
      await staging.kubectl([
        'patch',
        'rollout',
        'my-app',
        '-n',
        DOCS,
        '--subresource=status',
        '--type=merge',
        '-p',
        status([{ id: 1, version: DOCS_V1, timestamp: '2026-11-26T10:00:00Z', message: 'Automatic deployment', bakeStatus: 'Succeeded' }], []),
      ]);
      // As with the runner (kuberik-docs.test.ts), staging's success may only be published on its next resync, a minute later.
      const published = await eventually('staging deployment of v1.2.0 succeeded', DOCS_CONVERGE_MS, async () => {
        const [d] = deploymentsOf(DOCS_REPOSITORY, 'kuberik/my-app/staging');
        return d && latest(d) === 'success' ? d : undefined;
      });
      expect(published.sha).toBe(DOCS_V1.revision);
      // The docs keep the default requeueInterval (1m); a change to production's Rollout makes it look now.
      await production.kubectl(['annotate', 'rollout', 'my-app', '-n', DOCS, '--overwrite', `e2e/poke=${Date.now()}`]);
      const allowed = await eventually('production gate allowing v1.2.0', CONVERGE_MS, async () => {
        const gate = await getJson(production, GATE_KIND, 'my-app-production-gate');
        return gate?.spec?.allowedVersions?.length ? gate.spec.allowedVersions : undefined;
      });
      expect(allowed).toEqual([DOCS_V1.tag]);
    },
    2 * DOCS_CONVERGE_MS,
  );

  test('deleting every remaining Environment finalizes each: the newest deployment of each environment inactive, nothing unfinished', async () => {
    for (const member of members()) {
      for (const namespace of ['default', RESTARTS, DOCS]) await member.cluster.kubectl(['delete', ENVIRONMENT_KIND, '--all', '-n', namespace, '--wait=false']);
    }
    await eventually('no Environment left', CONVERGE_MS, async () => {
      for (const member of members()) {
        for (const namespace of ['default', RESTARTS, DOCS]) {
          const list = JSON.parse(await member.cluster.kubectl(['get', ENVIRONMENT_KIND, '-n', namespace, '-o', 'json']));
          if (list.items.length > 0) return undefined;
        }
      }
      return true;
    });
    const states = (
      [
        [REPOSITORY, 'kuberik/my-app/staging'],
        [REPOSITORY, `kuberik/${RESTART_APP}/staging`],
        [DOCS_REPOSITORY, 'kuberik/my-app/staging'],
      ] as const
    ).map(([repository, environment]) => [repository, environment, deploymentsOf(repository, environment).map(latest)]);
    // Finalize writes only what changes what GitHub shows (issue 18): the newest deployment becomes inactive; an
    // older one that had finished keeps its status (here my-app's first, never made inactive by a newer success).
    expect(states).toEqual([
      [REPOSITORY, 'kuberik/my-app/staging', ['success', 'inactive']],
      [REPOSITORY, `kuberik/${RESTART_APP}/staging`, ['inactive', 'inactive']],
      [DOCS_REPOSITORY, 'kuberik/my-app/staging', ['inactive']],
    ]);
  });

  test("Metacontroller called every hook in each cluster (the service's own count)", async () => {
    const counts = await Promise.all(members().map(async (member) => ({ cluster: member.name, ...(await member.hookRequests()) })));
    for (const count of counts) {
      expect([count.cluster, count.customize > 0, count.sync > 0, count.finalize > 0]).toEqual([count.cluster, true, true, true]);
    }
  });

  test(
    `promotion latency, measured as for the runner: a version staging baked reaches production's gate within ${LATENCY_TARGET_MS / 1000} s`,
    async () => {
      // The same service settings as the runner's measurement: every default.
      for (const member of members()) {
        await member.stopService();
        await member.startService({});
      }
      const syncsAnswered = async (): Promise<number> => {
        const text = (await productionMember!.metricsApp()!.inject({ method: 'GET', url: '/metrics' })).body;
        return [...text.matchAll(/^environment_sync_syncs_total\{hook="sync"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      };
      const run = await measurePromotionLatency({
        driver: `Metacontroller v${METACONTROLLER_VERSION}`,
        staging: target.staging,
        production: target.production,
        github,
        token: TOKEN,
        productionSyncs: syncsAnswered,
      });
      console.log(run.report);
      expect([run.recorded, run.opened]).toEqual([LATENCY_APPLICATIONS.length, LATENCY_APPLICATIONS.length]);
      expect(run.latencies.filter((l) => l > LATENCY_TARGET_MS)).toEqual([]);
    },
    LATENCY_TEST_TIMEOUT_MS,
  );
});
