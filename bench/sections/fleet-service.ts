/**
 * The small fleet case on the real service: 40 applications in 40 repositories on one token,
 * each production waiting for its staging (baked elsewhere: only its GitHub deployments are
 * here). Productions resync every 15 s for 45 s on a compressed clock (the shared reads' clock
 * is advanced, nothing sleeps); every staging's bake success is recorded at 5 s. Counts the
 * GraphQL points the token spent and how many gates show the news at the end.
 */
import { request } from 'undici';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { encodePayload } from '../../src/core/payload.js';
import { startGitHub } from '../github.js';
import { TOKEN } from '../scenario.js';

export interface FleetServiceResult {
  applications: number;
  points: number;
  rounds: number;
  gatesWithNews: number;
}

const EPOCH = Date.parse('2026-11-01T00:00:00Z');
const iso = (second: number) => new Date(EPOCH + second * 1000).toISOString().replace('.000Z', 'Z');
const revision = (label: string) => Buffer.from(label.padEnd(20, '.')).toString('hex').slice(0, 40);

export async function measureFleetService(applications = 40): Promise<FleetServiceResult> {
  const github = await startGitHub();
  let clockMs = EPOCH;
  let rounds = 0;
  const config = loadConfig({ LOG_LEVEL: 'silent', GITHUB_API_URL: github.url, HOST: '127.0.0.1', PORT: '0', LEDGER_CACHE_TTL_MS: '10000' });
  const app = await buildApp(config, { logger: createLogger('silent'), nowMs: () => clockMs, onFleetRound: () => rounds++ });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  try {
    const names = Array.from({ length: applications }, (_, i) => `app-${String(i).padStart(2, '0')}`);
    const version = (name: string, tag: string) => ({ tag, revision: revision(`${name}-${tag}`) });
    const baking = names.map((name) => {
      const repo = `fleet-org/${name}`;
      github.addRepository(repo);
      const deploy = (env: string, id: number, tag: string, second: number, state: string, description: string) =>
        github.seedDeployment(repo, {
          sha: version(name, tag).revision,
          task: `deploy:kuberik/${name}`,
          environment: `kuberik/${name}/${env}`,
          payload: encodePayload({ id, version: version(name, tag) }),
          created_at: iso(second),
          statuses: [{ state, description, created_at: iso(second) }],
        });
      deploy('staging', 1, 'v1', -600, 'success', 'Bake succeeded');
      deploy('production', 1, 'v1', -300, 'success', 'Bake succeeded');
      return deploy('staging', 2, 'v2', -60, 'in_progress', 'Baking in progress').id;
    });
    const statuses: unknown[] = names.map(() => ({}));
    const gates: string[][] = names.map(() => []);
    const wave = () =>
      Promise.all(
        names.map(async (name, i) => {
          const parent = {
            apiVersion: 'environments.kuberik.com/v1alpha1',
            kind: 'Environment',
            metadata: { name: `${name}-production`, namespace: 'default', uid: `uid-${name}`, generation: 1 },
            spec: {
              name,
              environment: 'production',
              relationship: { environment: 'staging', type: 'After' },
              rolloutRef: { name },
              backend: { type: 'github', project: `fleet-org/${name}` },
              requeueInterval: '15s',
            },
            status: statuses[i],
          };
          const rollout = {
            apiVersion: 'kuberik.com/v1alpha1',
            kind: 'Rollout',
            metadata: { name, namespace: 'default' },
            spec: {},
            status: {
              history: [{ id: 1, version: version(name, 'v1'), timestamp: iso(-300), message: 'Automatic deployment', bakeStatus: 'Succeeded' }],
              releaseCandidates: [version(name, 'v2'), version(name, 'v1')],
            },
          };
          const secret = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'github-token', namespace: 'default' },
            data: { token: Buffer.from(TOKEN).toString('base64') },
          };
          const body = {
            controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'environment-sync' } },
            parent,
            children: { 'RolloutGate.kuberik.com/v1alpha1': {} },
            related: {
              'Rollout.kuberik.com/v1alpha1': { [`default/${name}`]: rollout },
              'Secret.v1': { 'default/github-token': secret },
              'Environment.environments.kuberik.com/v1alpha1': { [`default/${name}-production`]: parent },
            },
            finalizing: false,
          };
          const res = await request(`${url}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
          const answer = (await res.body.json()) as { status: unknown; children: { spec: { allowedVersions: string[] } }[] };
          statuses[i] = answer.status;
          gates[i] = answer.children[0]?.spec.allowedVersions ?? [];
        }),
      );
    await wave();
    clockMs = EPOCH + 5_000;
    for (const [i, name] of names.entries()) {
      const res = await request(`${github.url}/repos/fleet-org/${name}/deployments/${baking[i]!}/statuses`, {
        method: 'POST',
        headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'bench' },
        body: JSON.stringify({ state: 'success', description: 'Bake succeeded' }),
      });
      await res.body.dump();
    }
    for (const t of [15, 30, 45]) {
      clockMs = EPOCH + t * 1000;
      await wave();
    }
    const limits = await request(`${github.url}/rate_limit`, { headers: { authorization: `token ${TOKEN}` } });
    const graphqlPoints = ((await limits.body.json()) as { resources: { graphql: { used: number } } }).resources.graphql.used;
    return { applications, points: graphqlPoints, rounds, gatesWithNews: gates.filter((g) => g.includes('v2')).length };
  } finally {
    await app.close();
    await github.close();
  }
}
