/**
 * A deployment deleted between the two requests of a read (issue 18, item 9): GitHub answers
 * the status lookup of the deployment it just listed with NOT_FOUND at that field. The
 * deployment is gone, not the repository: the read goes on without it.
 */
import { request } from 'undici';
import { encodePayload } from '../../src/core/payload.js';
import { REPOSITORY, startHarness, type Harness } from '../support/harness.js';
import { condition, environment, rollout, sha, syncRequest, TOKEN } from '../support/requests.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const V1 = { tag: 'v1', revision: sha('gone-v1') };
const V2 = { tag: 'v2', revision: sha('gone-v2') };

test("a deployment deleted mid-read drops out of the ledger; the application is not 'RepositoryNotFound'", async () => {
  h = await startHarness({ config: { syncBudgetMs: 20_000, githubTimeoutMs: 20_000 } });
  const seeded = [V1, V2].map((version, k) =>
    h.emulator.seedDeployment(REPOSITORY, {
      sha: version.revision,
      task: 'deploy:kuberik/my-app',
      environment: 'kuberik/my-app/staging',
      payload: encodePayload({ id: k + 1, version }),
      created_at: `2026-11-0${k + 1}T00:00:00Z`,
      statuses: [{ state: 'success', description: 'Bake succeeded', created_at: `2026-11-0${k + 1}T00:00:00Z` }],
    }),
  );
  const production = environment({ environment: 'production', relationship: { environment: 'staging', type: 'After' } });
  const sync = () => h.post('/sync', syncRequest({ parent: production, rollout: rollout([], [V2, V1]) }));
  expect((await sync()).json.children[0].spec.allowedVersions).toEqual(['v2', 'v1']);

  // v1's latest status changes, so the next read lists it, then looks up its statuses in a second request.
  const res = await request(`${h.emulator.url}/repos/${REPOSITORY}/deployments/${seeded[0]!.id}/statuses`, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'test' },
    body: JSON.stringify({ state: 'success', description: 'Bake succeeded: again' }),
  });
  expect(res.statusCode).toBe(201);
  await res.body.dump();
  h.emulator.resetRequests();
  // That second request finds v1 deleted meanwhile: GitHub's answer, the repository and NOT_FOUND at the lookup's field.
  h.emulator.injectFault({ match: { api: 'graphql' }, action: { kind: 'delay', ms: 0 } });
  h.emulator.injectFault({
    match: { api: 'graphql' },
    action: {
      kind: 'respond',
      status: 200,
      body: {
        data: { r0: { id: 'R_kgDOrepository' }, r0s0: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['r0s0'],
            locations: [{ line: 1, column: 1 }],
            message: `Could not resolve to a node with the global id of '${seeded[0]!.node_id}'`,
          },
        ],
      },
    },
  });
  const answer = (await sync()).json;
  expect(h.emulator.requests.map((r) => r.fault ?? 'none')).toEqual(['delay', 'respond']);
  expect(condition(answer.status, 'Ready').reason).toBe('Synced');
  expect(answer.children[0].spec.allowedVersions).toEqual(['v2']);
  expect(h.logs.filter((l) => l.includes('RepositoryNotFound'))).toEqual([]);
});
