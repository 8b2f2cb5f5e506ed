/**
 * The GitHub emulator's own time per GraphQL ledger read (zero added latency), on a big ledger:
 * E environments × H deployments of our payload format, seeded as bench/scenario.ts does.
 * Shapes: the ledger query with and without the nested `statuses(last: N)` connection per deployment
 * (marked: the one the service builds now), and a batch of 100 `node(id:)` status-window reads.
 *
 *   npx tsx bench/emulator-speed.ts [--environments 10] [--history 100] [--reads 60] [--shape node]
 *
 * CPU profile of one shape:
 *   NODE_OPTIONS='--cpu-prof --cpu-prof-dir /tmp/prof' npx tsx bench/emulator-speed.ts --shape 'latestStatus only'
 *   npx tsx bench/profile-summary.ts /tmp/prof/<file>.cpuprofile
 */
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { buildLedgerQuery, STATUS_WINDOW } from '../src/github/ledger-query.js';
import { startGitHub } from './github.js';
import { environmentNames, seedScenario, TOKEN, type AppScenario } from './scenario.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    environments: { type: 'string', default: '10' },
    history: { type: 'string', default: '100' },
    reads: { type: 'string', default: '60' },
    /** Only the shapes whose name contains this text (e.g. for a CPU profile of one shape). */
    shape: { type: 'string', default: '' },
  },
});
const environments = Number(values.environments);
const historySize = Number(values.history);
const reads = Number(values.reads);
if (![environments, historySize, reads].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--environments, --history and --reads must be positive integers');

const STATUS_FIELDS = 'state description environmentUrl createdAt';
const NESTED_STATUSES = `statuses(last: ${STATUS_WINDOW}) { totalCount pageInfo { hasPreviousPage startCursor } nodes { ${STATUS_FIELDS} } }`;

/** End index (exclusive) of the `{ … }` block that opens at or after `from`. */
function blockEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = text.indexOf('{', from); i >= 0 && i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces in the ledger query');
}

/** The query without any `statuses(last: …) { … }` field inside the deployment fragment. */
function withoutNestedStatuses(query: string): string {
  const start = query.indexOf('statuses(last:', query.indexOf('fragment '));
  if (start < 0) return query;
  return query.slice(0, start).trimEnd() + query.slice(blockEnd(query, start));
}

/** The query with the nested `statuses(last: STATUS_WINDOW)` connection right after `latestStatus { … }`. */
function withNestedStatuses(query: string): string {
  const bare = withoutNestedStatuses(query);
  const latest = bare.indexOf('latestStatus', bare.indexOf('fragment '));
  if (latest < 0) throw new Error('the ledger fragment selects no latestStatus');
  const end = blockEnd(bare, latest);
  return `${bare.slice(0, end)} ${NESTED_STATUSES}${bare.slice(end)}`;
}

const scenario: AppScenario = {
  repository: 'bench-org/bench-repo',
  app: 'my-app',
  namespace: 'default',
  environments: environmentNames(environments),
  history: historySize,
};
const [owner, repo] = scenario.repository.split('/') as [string, string];
const emulator = await startGitHub();
emulator.addRepository(scenario.repository);
const seeded = seedScenario(emulator, scenario);
const deployments = emulator.deployments(scenario.repository);

const ledger = buildLedgerQuery(
  { listEnvironments: true, deployments: scenario.environments.map((e) => ({ environment: `kuberik/${scenario.app}/${e}` })), statusPages: [] },
  owner,
  repo,
);
// The follow-up read of status windows, as the service sends it for deployments whose window it needs.
const statusPages = deployments.slice(-100).map((d) => ({ deploymentId: d.node_id }));
const nodeBatch = buildLedgerQuery({ listEnvironments: false, deployments: [], statusPages }, owner, repo);

const ledgerShapes = [
  { name: `ledger with nested statuses(last: ${STATUS_WINDOW})`, query: withNestedStatuses(ledger.query), variables: ledger.variables },
  { name: 'ledger with latestStatus only', query: withoutNestedStatuses(ledger.query), variables: ledger.variables },
];
const shapes: { name: string; query: string; variables: Record<string, unknown> }[] = [
  ...ledgerShapes.map((s) => (s.query === ledger.query ? { ...s, name: `${s.name} (as buildLedgerQuery builds it)` } : s)),
  ...(ledgerShapes.some((s) => s.query === ledger.query) ? [] : [{ name: 'ledger as buildLedgerQuery builds it', ...ledger }]),
  { name: `node(id:) batch of ${statusPages.length} status windows`, ...nodeBatch },
];

async function read(query: string, variables: Record<string, unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await request(`${emulator.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.body.json()) as { data?: unknown; errors?: unknown[] };
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.statusCode !== 200 || body.errors || !body.data) throw new Error(`read failed: ${res.statusCode} ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  return elapsed;
}

try {
  console.log(`GitHub emulator, GraphQL reads of ${seeded} deployments (E=${environments} × H=${historySize}), ${reads} reads per shape, median ms per read`);
  for (const shape of shapes.filter((s) => s.name.includes(values.shape))) {
    const first = await read(shape.query, shape.variables); // includes the one-time schema load for the first shape
    const times: number[] = [];
    for (let i = 0; i < reads; i++) times.push(await read(shape.query, shape.variables));
    console.log(`${median(times).toFixed(2).padStart(8)} ms  (first ${first.toFixed(1)} ms)  ${shape.name}`);
  }
} finally {
  await emulator.close();
}
