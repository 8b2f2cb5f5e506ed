/**
 * The staging → production scenario, written once and run against three kinds of target:
 * two local API servers (two "clusters") driven by the runner (test/e2e/two-clusters.test.ts) or
 * by the real Metacontroller (test/e2e/metacontroller.test.ts), and a kind cluster with
 * Metacontroller (two namespaces as the two environments, test/e2e/kind.test.ts).
 * Everything in the clusters is driven with kubectl; GitHub is the shared emulator.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { GitHubEmulator } from '../../../tools/github-emulator/index.js';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';

export const REPOSITORY = 'my-org/my-repo';
export const APPLICATION = 'kuberik/my-app';
export const ENVIRONMENTS = { staging: 'my-app-staging', production: 'my-app-production' } as const;
export const ROLLOUT = 'my-app';
export const GATE = `${ENVIRONMENTS.production}-gate`;
/** Metacontroller's finalizer for our CompositeController (metadata.name environment-sync). */
export const FINALIZER = 'metacontroller.io/compositecontroller-environment-sync';
export const REVISIONS = {
  'v1.2.0': '1d8ac5c3f2f6b8f0c9a0e7d2b4a6c8e0f1a3b5c7',
  'v1.3.0': '7e2b9d4f6a8c0e1f3a5b7c9d1e3f5a7b9c0d2e4f',
} as const;

export interface Site {
  /** 'staging' or 'production'. */
  environment: keyof typeof ENVIRONMENTS;
  namespace: string;
  kubectl(args: string[], input?: string): Promise<string>;
}

export interface ScenarioTarget {
  staging: Site;
  production: Site;
  github: GitHubEmulator;
  /** The token the Secrets hold (the emulator accepts it). */
  token: string;
  /** Upper bound for each convergence wait. */
  convergeMs: number;
}

/** Polls until `probe` returns a value, or fails with the last observation. */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'no match yet';
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function sampleDocument(file: string): Promise<Record<string, any>> {
  return parse(await readFile(join(REPO_ROOT, 'manifests', 'samples', file), 'utf8')) as Record<string, any>;
}

/** The samples a site applies, placed in its namespace and resynced every few seconds. */
export async function siteManifests(site: Site, token: string): Promise<string> {
  const rollout = await sampleDocument('rollout.yaml');
  const secret = await sampleDocument('secret.yaml');
  const environment = await sampleDocument(`environment-${site.environment}.yaml`);
  secret.stringData = { token };
  // Production learns about staging only from GitHub, on its resync: keep the test short.
  environment.spec.requeueInterval = '2s';
  const docs = [rollout, secret, environment].map((doc) => ({ ...doc, metadata: { ...doc.metadata, namespace: site.namespace } }));
  return docs.map((doc) => stringify(doc)).join('---\n');
}

export async function getJson(site: Site, kind: string, name: string): Promise<any> {
  try {
    return JSON.parse(await site.kubectl(['get', kind, name, '-n', site.namespace, '-o', 'json']));
  } catch (error) {
    if (String(error).includes('NotFound')) return undefined;
    throw error;
  }
}

interface HistoryEntry {
  id: number;
  tag: keyof typeof REVISIONS;
  bakeStatus: string;
  at: string;
}

/** Writes a Rollout status the way kuberik's rollout-controller does: history newest first. */
export async function setRolloutStatus(site: Site, history: HistoryEntry[], candidates: (keyof typeof REVISIONS)[]): Promise<void> {
  const status = {
    history: history.map((entry) => ({
      id: entry.id,
      version: { tag: entry.tag, revision: REVISIONS[entry.tag] },
      timestamp: entry.at,
      message: 'Automatic deployment',
      bakeStatus: entry.bakeStatus,
      bakeStatusMessage: entry.bakeStatus === 'Succeeded' ? 'Bake time completed successfully.' : `Rollout is ${entry.bakeStatus}.`,
    })),
    releaseCandidates: candidates.map((tag) => ({ tag, revision: REVISIONS[tag] })),
  };
  await site.kubectl(['patch', 'rollout', ROLLOUT, '-n', site.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

export async function allowedVersions(site: Site): Promise<string[] | undefined> {
  const gate = await getJson(site, 'rolloutgates.kuberik.com', GATE);
  return gate?.spec?.allowedVersions;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}

export function githubDeployments(target: ScenarioTarget, environment: keyof typeof ENVIRONMENTS) {
  return target.github.deployments(REPOSITORY).filter((d) => d.environment === `${APPLICATION}/${environment}`);
}

function latestState(deployment: { statuses: { state: string }[] }): string | undefined {
  return deployment.statuses[deployment.statuses.length - 1]?.state;
}

/** The printer columns of our CRD, as `kubectl get` shows them in its header. */
export async function expectedColumns(): Promise<string[]> {
  const crdText = await readFile(join(REPO_ROOT, 'manifests', 'crd', 'environments.kuberik.com_environments.yaml'), 'utf8');
  const crd = parseAllDocuments(crdText)[0]!.toJS();
  const columns: { name: string; priority?: number }[] = crd.spec.versions[0].additionalPrinterColumns ?? [];
  // Columns with a priority above 0 appear only with -o wide.
  return ['NAME', ...columns.filter((c) => !c.priority).map((c) => c.name.toUpperCase())];
}

/**
 * Registers the scenario's steps as ordered jest tests. `target()` is read lazily: the suite's
 * beforeAll builds it.
 */
export function defineScenario(target: () => ScenarioTarget): void {
  const t = (): ScenarioTarget => target();

  test('1. the samples apply with kubectl and both Rollouts report a status', async () => {
    for (const site of [t().staging, t().production]) {
      const applied = await site.kubectl(['apply', '-f', '-'], await siteManifests(site, t().token));
      expect(applied).toContain(`environment.environments.kuberik.com/${ENVIRONMENTS[site.environment]}`);
    }
    await setRolloutStatus(t().staging, [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Deploying', at: '2026-11-26T10:00:00Z' }], []);
    await setRolloutStatus(t().production, [], ['v1.2.0', 'v1.3.0']);
    const rollout = await getJson(t().production, 'rollouts.kuberik.com', ROLLOUT);
    expect(rollout.status.releaseCandidates.map((c: { tag: string }) => c.tag)).toEqual(['v1.2.0', 'v1.3.0']);
  });

  test("kubectl explain shows the CRD's field descriptions", async () => {
    const crd = parseAllDocuments(await readFile(join(REPO_ROOT, 'manifests', 'crd', 'environments.kuberik.com_environments.yaml'), 'utf8'))[0]!.toJS();
    const relationship = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.relationship;
    const explained = await t().production.kubectl(['explain', 'environments.spec.relationship']);
    expect(explained.replace(/\s+/g, ' ')).toContain(String(relationship.description).split('\n')[0]!.replace(/\s+/g, ' ').trim());
    expect(explained).toMatch(/FIELDS:[\s\S]*\benvironment\b[\s\S]*\btype\b/);
  });

  test("2. production's RolloutGate starts closed: allowedVersions []", async () => {
    const gate = await eventually('the production gate', t().convergeMs, async () => getJson(t().production, 'rolloutgates.kuberik.com', GATE));
    expect(gate.spec.allowedVersions).toEqual([]);
    expect(gate.spec.rolloutRef).toEqual({ name: ROLLOUT });
    expect(gate.spec.passing).toBe(true);
    const environment = await getJson(t().production, 'environments.environments.kuberik.com', ENVIRONMENTS.production);
    expect(gate.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Environment', name: ENVIRONMENTS.production, uid: environment.metadata.uid, controller: true }),
    ]);
  });

  test('3. staging bakes v1.2.0: its deployment is recorded and production opens its gate for v1.2.0', async () => {
    const deploying = await eventually('staging deployment of v1.2.0 in progress', t().convergeMs, async () => {
      const [deployment] = githubDeployments(t(), 'staging');
      return deployment && latestState(deployment) === 'in_progress' ? deployment : undefined;
    });
    expect(deploying.sha).toBe(REVISIONS['v1.2.0']);
    expect(await allowedVersions(t().production)).toEqual([]);

    await setRolloutStatus(t().staging, [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Succeeded', at: '2026-11-26T10:00:00Z' }], []);
    const opened = await eventually('production gate allowing v1.2.0', t().convergeMs, async () => {
      const allowed = await allowedVersions(t().production);
      return sameList(allowed, ['v1.2.0']) ? allowed : undefined;
    });
    expect(opened).toEqual(['v1.2.0']);
    const staging = githubDeployments(t(), 'staging');
    expect(staging.map((d) => [d.sha, latestState(d)])).toEqual([[REVISIONS['v1.2.0'], 'success']]);

    // Production deploys what its gate allows; its own history goes to GitHub too.
    await setRolloutStatus(t().production, [{ id: 1, tag: 'v1.2.0', bakeStatus: 'Succeeded', at: '2026-11-26T11:00:00Z' }], ['v1.2.0', 'v1.3.0']);
    await eventually('production deployment of v1.2.0', t().convergeMs, async () => {
      const [deployment] = githubDeployments(t(), 'production');
      return deployment && latestState(deployment) === 'success' ? deployment : undefined;
    });

    const table = await eventually('Environments Ready', t().convergeMs, async () => {
      const out = await t().production.kubectl(['get', 'environments', '-n', t().production.namespace]);
      return out.includes(ENVIRONMENTS.production) && /\bTrue\b/.test(out) ? out : undefined;
    });
    const [headerLine, ...rows] = table.trim().split('\n');
    const header = headerLine!.trim().split(/\s{2,}/);
    expect(header).toEqual(await expectedColumns());
    const row = rows
      .find((line) => line.startsWith(ENVIRONMENTS.production))!
      .trim()
      .split(/\s{2,}/);
    const cell = (column: string): string | undefined => row[header.indexOf(column)];
    expect([cell('ENVIRONMENT'), cell('UPSTREAM'), cell('VERSION'), cell('READY')]).toEqual(['production', 'staging', 'v1.2.0', 'True']);
    // -o wide adds the revision of that version.
    const [wideHeader, ...wideRows] = (await t().production.kubectl(['get', 'environments', '-n', t().production.namespace, '-o', 'wide'])).trim().split('\n');
    const wideColumns = wideHeader!.trim().split(/\s{2,}/);
    const wideRow = wideRows
      .find((line) => line.startsWith(ENVIRONMENTS.production))!
      .trim()
      .split(/\s{2,}/);
    expect(wideRow[wideColumns.indexOf('REVISION')]).toBe(REVISIONS['v1.2.0']);
  });

  test('4. staging fails v1.3.0: production reads it but its gate does not gain v1.3.0', async () => {
    await setRolloutStatus(
      t().staging,
      [
        { id: 2, tag: 'v1.3.0', bakeStatus: 'Failed', at: '2026-11-26T12:00:00Z' },
        { id: 1, tag: 'v1.2.0', bakeStatus: 'Succeeded', at: '2026-11-26T10:00:00Z' },
      ],
      [],
    );
    await eventually('staging deployment of v1.3.0 failed', t().convergeMs, async () => {
      const failed = githubDeployments(t(), 'staging').find((d) => d.sha === REVISIONS['v1.3.0']);
      return failed && latestState(failed) === 'failure' ? failed : undefined;
    });
    // Production has read staging's failure (its status lists it) ...
    const stagingInfo = await eventually("production's view of staging's v1.3.0", t().convergeMs, async () => {
      const environment = await getJson(t().production, 'environments.environments.kuberik.com', ENVIRONMENTS.production);
      const info = environment?.status?.environmentInfos?.find((i: { environment: string }) => i.environment === 'staging');
      const entry = info?.history?.find((h: { version?: { tag?: string } }) => h.version?.tag === 'v1.3.0');
      return entry ? info : undefined;
    });
    expect(stagingInfo.history.map((h: { version: { tag: string }; bakeStatus: string }) => [h.version.tag, h.bakeStatus])).toEqual([
      ['v1.3.0', 'Failed'],
      ['v1.2.0', 'Succeeded'],
    ]);
    // ... and still allows only v1.2.0.
    expect(await allowedVersions(t().production)).toEqual(['v1.2.0']);
  });

  test("5. deleting production's Environment finalizes: deployments inactive, finalizer gone, gate collected", async () => {
    const environment = await getJson(t().production, 'environments.environments.kuberik.com', ENVIRONMENTS.production);
    expect(environment.metadata.finalizers).toEqual([FINALIZER]);
    const before = githubDeployments(t(), 'production');
    expect(before.map(latestState)).toEqual(['success']);
    await t().production.kubectl(['delete', 'environments.environments.kuberik.com', ENVIRONMENTS.production, '-n', t().production.namespace, '--wait=false']);
    await eventually('production Environment removed', t().convergeMs, async () =>
      (await getJson(t().production, 'environments.environments.kuberik.com', ENVIRONMENTS.production)) === undefined ? true : undefined,
    );
    expect(githubDeployments(t(), 'production').map(latestState)).toEqual(['inactive']);
    await eventually('production gate garbage-collected', t().convergeMs, async () =>
      (await getJson(t().production, 'rolloutgates.kuberik.com', GATE)) === undefined ? true : undefined,
    );
    // Staging is untouched by production's deletion.
    expect(githubDeployments(t(), 'staging').map((d) => [d.sha, latestState(d)])).toEqual([
      [REVISIONS['v1.2.0'], 'success'],
      [REVISIONS['v1.3.0'], 'failure'],
    ]);
  });
}
