/**
 * The token never leaves the process except towards GitHub: not in logs at any level
 * (trace), responses, statuses, conditions or error messages, not even when GitHub echoes
 * it back in an error, and not in the errors the GitHub client throws. And the install is
 * hardened: non-root, read-only root filesystem, no API token for the webhook, NetworkPolicy.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import YAML from 'yaml';
import { GitHubClient } from '../../src/github/client.js';
import { classifyGitHubError } from '../../src/github/errors.js';
import type { Fault } from '../../tools/github-emulator/index.js';
import { NOW, startHarness, REPOSITORY, type Harness } from '../support/harness.js';
import { environment, rollout, secret, sha, syncRequest } from '../support/requests.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Distinctive, so any copy in any form is found. */
const TOKEN = 'ghp_SecretLeakCanary0123456789abcdefXYZ';
const FORMS = [TOKEN, Buffer.from(TOKEN).toString('base64'), encodeURIComponent(TOKEN), TOKEN.slice(4, 30)];

function leaks(text: string): string[] {
  return FORMS.filter((form) => text.includes(form));
}

/** GitHub misbehaving in every way the fault matrix knows, several of them echoing the token back. */
const FAULTS: Fault[] = [
  { match: {}, action: { kind: 'respond', status: 401, body: { message: `Bad credentials: ${TOKEN}`, documentation_url: 'https://docs.github.com/rest' } } },
  { match: { api: 'graphql' }, action: { kind: 'respond', status: 200, body: { errors: [{ type: 'FORBIDDEN', message: `token ${TOKEN} lacks scope` }] } } },
  { match: { api: 'graphql' }, action: { kind: 'respond', status: 200, body: { data: null, errors: [{ message: `Something went wrong for ${TOKEN}` }] } } },
  {
    match: { api: 'graphql' },
    action: { kind: 'respond', status: 403, body: { message: `secondary rate limit for ${TOKEN}` }, headers: { 'retry-after': '5' } },
  },
  { match: { api: 'rest' }, action: { kind: 'respond', status: 422, body: { message: `No ref found for: ${TOKEN}` } } },
  {
    match: { api: 'rest' },
    action: { kind: 'respond', status: 422, body: { message: 'Validation Failed', errors: [{ field: 'description', message: `${TOKEN} is too long` }] } },
  },
  { match: { api: 'rest' }, action: { kind: 'respond', status: 500, body: `<html>${TOKEN}</html>`, headers: { 'content-type': 'text/html' } } },
  { match: { api: 'rest' }, action: { kind: 'respond', status: 202, body: { message: `merged ${TOKEN}` } } },
  { match: { api: 'graphql', mutation: true }, action: { kind: 'drop-after-write' } },
  { match: { api: 'graphql' }, action: { kind: 'reset' } },
  { match: { api: 'graphql' }, action: { kind: 'delay', ms: 1500 } },
];

describe('the token never leaks', () => {
  let h: Harness;
  const responses: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ emulator: { tokens: [TOKEN] }, config: { syncBudgetMs: 500 } });
  });
  afterAll(async () => {
    await h.close();
  });

  const history = (n: number) => rollout([{ id: n, tag: `v${n}`, revision: sha(`secret-${n}`), bakeStatus: 'Succeeded', bakeStatusMessage: 'ok' }]);
  const send = async (route: string, body: unknown) => {
    const res = await h.post(route, body);
    responses.push(res.text);
    return res;
  };

  test('through every GitHub fault, every hook, and requests that carry the Secret in odd places', async () => {
    let n = 0;
    for (const fault of FAULTS) {
      n++;
      h.emulator.injectFault({ ...fault, times: Infinity });
      const parent = environment({ environment: `env${n}`, relationship: { environment: 'staging', type: 'After' } });
      const sync = await send('/sync', syncRequest({ parent, rollout: history(n), secret: secret(TOKEN) }));
      expect(sync.status).toBe(200);
      expect(sync.json.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
      const deleting = environment({ environment: `env${n}`, deletionTimestamp: '2026-11-26T11:59:00Z' });
      expect((await send('/finalize', syncRequest({ parent: deleting, rollout: history(n), secret: secret(TOKEN), finalizing: true }))).status).toBe(200);
      h.emulator.clearFaults();
      // Past any rate-limit hold the fault started (retry-after 5 s), so the next fault reaches GitHub too.
      h.setNow(new Date(NOW.getTime() + n * 10_000));
    }
    // Fault-free: writes, then the steady state.
    const parent = environment({ environment: 'staging' });
    for (let i = 0; i < 2; i++) expect((await send('/sync', syncRequest({ parent, rollout: history(1), secret: secret(TOKEN) }))).status).toBe(200);
    expect((await send('/customize', { controller: {}, parent })).status).toBe(200);
    // The token as stringData, and inside objects the schema rejects or the service ignores.
    const stringData = syncRequest({ parent, rollout: history(1) }) as any;
    stringData.related['Secret.v1']['default/github-token'] = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'github-token', namespace: 'default' },
      stringData: { token: TOKEN },
    };
    expect((await send('/sync', stringData)).status).toBe(200);
    const invalid = syncRequest({ parent, rollout: history(1), secret: secret(TOKEN) }) as any;
    invalid.parent.metadata.namespace = { token: TOKEN };
    expect((await send('/sync', invalid)).status).toBe(400);
    expect((await send('/sync', `{"token": "${TOKEN}", `)).status).toBe(400);
    // The fault-free syncs did write to GitHub with the token.
    expect(h.emulator.deployments(REPOSITORY).length).toBeGreaterThan(0);
  });

  test('appears in no log line (trace level), no response, no status or condition', () => {
    expect(h.logs.length).toBeGreaterThan(40);
    // Logged at the most verbose level: debug lines (steady-state syncs) were written too.
    expect(h.logger.level).toBe('trace');
    expect(h.logs.some((line) => JSON.parse(line).level === 20)).toBe(true);
    expect(leaks(h.logs.join('\n'))).toEqual([]);
    expect(responses.length).toBeGreaterThan(20);
    expect(leaks(responses.join('\n'))).toEqual([]);
  });

  test('GitHub did receive it: the tests above exercised the authenticated path', () => {
    expect(h.emulator.counts().total).toBeGreaterThan(20);
  });
});

describe('errors thrown by the GitHub client', () => {
  test('carry no token in message, stack, inspection or classification, whatever GitHub answers', async () => {
    const h = await startHarness({ emulator: { tokens: [TOKEN] } });
    const client = new GitHubClient({ apiUrl: h.emulator.url, timeoutMs: 300 });
    try {
      const session = client.session({ type: 'token', token: TOKEN }, 'my-org', 'my-repo');
      const operations = [
        () => session.readLedger({ specName: 'my-app', knownEnvironments: ['staging'], deadline: Date.now() + 2000 }),
        () =>
          session.createDeployment(
            {
              ref: sha('e1'),
              task: 'deploy:kuberik/my-app',
              environment: 'kuberik/my-app/staging',
              description: '',
              payload: '',
              auto_merge: false,
              required_contexts: [],
              production_environment: false,
              transient_environment: false,
            },
            Date.now() + 2000,
          ),
        () => session.postStatus('DE_kwDOAAAAAQ', { state: 'success', description: 'Bake succeeded', environmentUrl: '' }, Date.now() + 2000),
      ];
      let thrown = 0;
      for (const fault of FAULTS) {
        for (const operation of operations) {
          h.emulator.injectFault({ ...fault, times: Infinity });
          try {
            await operation();
          } catch (error) {
            thrown++;
            const problem = classifyGitHubError(error, { operation: 'test', repository: 'my-org/my-repo', nowMs: Date.now(), secrets: [TOKEN] });
            // What the service surfaces (conditions, logs) is always clean, even when GitHub echoes the token.
            expect({ fault: fault.action, leaks: leaks(JSON.stringify(problem)) }).toEqual({ fault: fault.action, leaks: [] });
            // The raw error is clean too (octokit redacts the authorization header) unless GitHub itself put the token in its answer.
            const raw = [String(error), (error as Error).stack ?? '', inspect(error, { depth: 8 })].join('\n');
            const echoed = JSON.stringify(fault.action).includes(TOKEN);
            if (!echoed) expect({ fault: fault.action, leaks: leaks(raw) }).toEqual({ fault: fault.action, leaks: [] });
          } finally {
            h.emulator.clearFaults();
          }
        }
      }
      expect(thrown).toBeGreaterThan(20);
    } finally {
      await client.close();
      await h.close();
    }
  });
});

describe('hardened install', () => {
  type K8sObject = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: any;
    automountServiceAccountToken?: boolean;
  };
  const build = (dir: string): K8sObject[] =>
    YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', path.join(REPO_ROOT, dir)], { encoding: 'utf8' }))
      .map((d) => d.toJS() as K8sObject | null)
      .filter((d): d is K8sObject => d !== null);
  const bases = ['manifests', 'manifests/runner'];
  const workloads = bases.flatMap((dir) =>
    build(dir)
      .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind))
      .map((o) => ({ dir, o })),
  );

  test('every workload and container: non-root, read-only root filesystem, no privilege escalation, no capabilities', () => {
    expect(workloads.map(({ dir, o }) => `${dir}: ${o.kind} ${o.metadata.name}`)).toEqual([
      'manifests: Deployment environment-sync',
      'manifests/runner: Deployment environment-sync-runner',
    ]);
    for (const { o } of workloads) {
      const pod = o.spec.template.spec;
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const effective = { ...pod.securityContext, ...container.securityContext };
        expect({
          name: container.name,
          runAsNonRoot: effective.runAsNonRoot,
          uidNotRoot: effective.runAsUser !== 0,
          readOnlyRootFilesystem: effective.readOnlyRootFilesystem,
          allowPrivilegeEscalation: effective.allowPrivilegeEscalation,
          drop: effective.capabilities?.drop,
        }).toEqual({
          name: container.name,
          runAsNonRoot: true,
          uidNotRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          drop: ['ALL'],
        });
      }
    }
  });

  test('the webhook gets no Kubernetes API token: neither its pods nor its ServiceAccount mount one', () => {
    const install = build('manifests');
    const webhook = install.find((o) => o.kind === 'Deployment' && o.metadata.name === 'environment-sync')!;
    const pod = webhook.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const account = install.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName)!;
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod.volumes.filter((v: any) => v.projected || v.secret)).toEqual([]);
  });

  test('a NetworkPolicy selects the webhook and admits ingress only from named namespaces or pods', () => {
    const objects = bases.flatMap(build);
    for (const { o } of workloads.filter(({ o }) => o.metadata.name === 'environment-sync')) {
      const labels = o.spec.template.metadata.labels as Record<string, string>;
      const policies = objects.filter(
        (p) =>
          p.kind === 'NetworkPolicy' &&
          p.metadata.namespace === o.metadata.namespace &&
          Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
      );
      expect(policies.length).toBeGreaterThan(0);
      for (const policy of policies) {
        expect(policy.spec.policyTypes).toContain('Ingress');
        for (const rule of policy.spec.ingress ?? []) {
          expect(rule.from.length).toBeGreaterThan(0);
          for (const peer of rule.from)
            expect(Object.keys(peer.namespaceSelector?.matchLabels ?? peer.podSelector?.matchLabels ?? {}).length).toBeGreaterThan(0);
        }
      }
    }
  });

  test('the image runs as a numeric non-root user and writes nothing outside /tmp', () => {
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const users = [...finalStage.matchAll(/^USER\s+(\S+)$/gm)].map((m) => m[1]!);
    expect(users).toEqual(['10001:10001']);
    expect(/^VOLUME\b/m.test(finalStage)).toBe(false);
    const webhook = build('manifests').find((o) => o.kind === 'Deployment' && o.metadata.name === 'environment-sync')!;
    expect(webhook.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });
});
