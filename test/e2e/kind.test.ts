/**
 * The shared scenario on a kind cluster where Metacontroller v4.17.2 runs our
 * CompositeController and the service runs from our image (scripts/kind-e2e.sh sets it up).
 * One cluster, two namespaces standing in for the two clusters: they share nothing but GitHub.
 *
 *   E2E_HOST_ADDRESS   address at which pods reach this machine (the kind network's gateway)
 */
import { execFile } from 'node:child_process';
import { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { defineScenario, REPOSITORY, REVISIONS, type ScenarioTarget, type Site } from './scenario/scenario.js';

const TOKEN = 'ghp_e2eScenarioToken0123456789abcdefABCD';
const SERVICE_NAMESPACE = 'environment-sync';

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', args, { maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

const hostAddress = process.env.E2E_HOST_ADDRESS;
if (!hostAddress) throw new Error('E2E_HOST_ADDRESS must name the address at which kind pods reach this machine');

describe('staging → production on kind with Metacontroller', () => {
  let github: GitHubEmulator;
  let target: ScenarioTarget;
  const sites: Site[] = [
    { environment: 'staging', namespace: 'e2e-staging', kubectl },
    { environment: 'production', namespace: 'e2e-production', kubectl },
  ];

  beforeAll(async () => {
    github = await GitHubEmulator.start({ tokens: [TOKEN], host: '0.0.0.0' });
    github.addRepository(REPOSITORY, { commits: Object.values(REVISIONS) });
    const port = new URL(github.url).port;
    await kubectl([
      'set',
      'env',
      'deployment/environment-sync',
      '-n',
      SERVICE_NAMESPACE,
      `GITHUB_API_URL=http://${hostAddress}:${port}`,
      'LEDGER_CACHE_TTL_MS=1000',
    ]);
    await kubectl(['rollout', 'status', 'deployment/environment-sync', '-n', SERVICE_NAMESPACE, '--timeout=120s']);
    for (const site of sites) await kubectl(['create', 'namespace', site.namespace]);
    target = { staging: sites[0]!, production: sites[1]!, github, token: TOKEN, convergeMs: 90_000 };
  }, 180_000);

  afterAll(async () => {
    for (const site of sites) await kubectl(['delete', 'namespace', site.namespace, '--wait=false']).catch(() => undefined);
    await github?.close();
  });

  defineScenario(() => target);
});
