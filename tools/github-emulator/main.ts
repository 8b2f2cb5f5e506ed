/**
 * Runs the GitHub emulator on its own, e.g.
 *
 *   npx tsx tools/github-emulator/main.ts --port 3001 --repo my-org/my-repo \
 *     --seed my-org/my-repo=test/fixtures/go-controller-deployments.json
 *
 * Then point a client at http://127.0.0.1:3001 (REST and /graphql) with any non-empty token
 * (or only the --token values given).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { GitHubEmulator } from './server.js';
import type { SeedDeployment } from './types.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '3001' },
    repo: { type: 'string', multiple: true, default: [] },
    seed: { type: 'string', multiple: true, default: [] },
    token: { type: 'string', multiple: true },
    latency: { type: 'string' },
    login: { type: 'string' },
  },
});

const logger = pino({ name: 'github-emulator', level: process.env.LOG_LEVEL ?? 'info' });
const emulator = await GitHubEmulator.start({
  host: values.host,
  port: Number(values.port),
  logger,
  ...(values.token ? { tokens: values.token } : {}),
  ...(values.latency ? { latencyMs: Number(values.latency) } : {}),
  ...(values.login ? { login: values.login } : {}),
});
for (const repo of values.repo) emulator.addRepository(repo);
for (const spec of values.seed) {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new Error(`--seed expects owner/name=path/to/fixture.json, got ${spec}`);
  const fixture = JSON.parse(readFileSync(spec.slice(eq + 1), 'utf8')) as { deployments: SeedDeployment[] };
  emulator.seedFromFixture(spec.slice(0, eq), fixture);
}
logger.info({ rest: emulator.url, graphql: `${emulator.url}/graphql`, ghes: `${emulator.url}/api/v3` }, 'GitHub emulator ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
