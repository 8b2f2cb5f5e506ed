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
if (![environments, historySize, reads].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--environments, --history and --reads must be positive integers');

/** Untimed reads per shape before measuring, so that the JIT has compiled the hot paths. */
const WARM_UP_READS = 10;
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
  { listEnvironments: true, deployments: scenario.environments.map((e) => ({ environments: [`kuberik/${scenario.app}/${e}`] })), statusPages: [] },
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

/**
 * Milliseconds from sending the request to the last byte of the answer, and CPU milliseconds of this
 * process (emulator and client) meanwhile, which a busy machine disturbs less. The body is not parsed:
 * that is the client's work, not the emulator's. (With this data no successful answer contains
 * `"errors":`; the first answer of each shape is parsed and checked in full.)
 */
async function read(query: string, variables: Record<string, unknown>, check = false): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const res = await request(`${emulator.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.body.text();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const failed = check
    ? (JSON.parse(text) as { errors?: unknown; data?: unknown }).errors !== undefined || !(JSON.parse(text) as { data?: unknown }).data
    : text.includes('"errors":');
  if (res.statusCode !== 200 || failed) throw new Error(`read failed: ${res.statusCode} ${text.slice(0, 500)}`);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

try {
  console.log(
    `GitHub emulator, GraphQL reads of ${seeded} deployments (E=${environments} × H=${historySize}), ${reads} reads per shape after ${WARM_UP_READS} untimed`,
  );
  console.log('  wall p50      CPU p50    first read  shape (the first read of the first shape loads the schema)');
  for (const shape of shapes.filter((s) => s.name.includes(values.shape))) {
    const first = await read(shape.query, shape.variables, true); // includes the one-time schema load for the first shape
    for (let i = 0; i < WARM_UP_READS; i++) await read(shape.query, shape.variables);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < reads; i++) {
      const t = await read(shape.query, shape.variables);
      wall.push(t.wallMs);
      cpu.push(t.cpuMs);
    }
    console.log(
      `${median(wall).toFixed(2).padStart(8)} ms  ${median(cpu).toFixed(2).padStart(8)} ms  ${first.wallMs.toFixed(1).padStart(7)} ms  ${shape.name}`,
    );
  }
} finally {
  await emulator.close();
}
