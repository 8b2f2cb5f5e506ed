/**
 * CPU profile of the service alone (`node --cpu-prof` in its child process) while it
 * serves one steady-state Environment (E=3, H=20) again and again, with the shared read
 * on (default) or off (`--no-cache`):
 *
 *   npx tsx bench/profile.ts [--no-cache] [--syncs 2000] [--dir /tmp/prof]
 *   npx tsx bench/profile-summary.ts /tmp/prof/<file>.cpuprofile
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startGitHub } from './github.js';
import { environmentNames, nextRequest, seedScenario, syncRequest, type AppScenario, type SyncInput } from './scenario.js';
import { HookClient, ServiceProcess } from './service.js';

const { values } = parseArgs({
  options: {
    'no-cache': { type: 'boolean', default: false },
    syncs: { type: 'string', default: '2000' },
    dir: { type: 'string', default: 'prof' },
    environments: { type: 'string', default: '3' },
    history: { type: 'string', default: '20' },
  },
});
const scenario: AppScenario = {
  repository: 'bench-org/bench-repo',
  app: 'my-app',
  namespace: 'default',
  environments: environmentNames(Number(values.environments)),
  history: Number(values.history),
};
const emulator = await startGitHub();
emulator.addRepository(scenario.repository);
seedScenario(emulator, scenario);
mkdirSync(values.dir, { recursive: true });
const service = await ServiceProcess.start(emulator.url, values['no-cache'] ? { LEDGER_CACHE_TTL_MS: '0' } : {}, {
  nodeOptions: ['--cpu-prof', '--cpu-prof-dir', values.dir],
});
const client = new HookClient(service.url, 1);
try {
  let input: SyncInput = { scenario, environment: scenario.environments.at(-1)! };
  input = nextRequest(input, await client.sync(syncRequest(input)));
  const body = syncRequest(input);
  const syncs = Number(values.syncs);
  await service.stats(true);
  for (let i = 0; i < syncs; i++) await client.sync(body);
  const stats = await service.stats();
  console.log(`${syncs} syncs: service CPU ${(stats.cpuMs / syncs).toFixed(3)} ms per sync; profile in ${values.dir}/`);
} finally {
  await client.close();
  await service.stop();
  await emulator.close();
}
