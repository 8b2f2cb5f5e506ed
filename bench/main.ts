/**
 * `npm run bench`: GitHub cost and hook speed, ours beside a model of the Go controller's
 * request pattern, all in one run on this machine. Prints the tables and writes
 * BENCHMARKS.md. `npm run bench -- --quick` is the CI smoke run (smaller sizes, short
 * windows, < 1 minute); it prints but does not rewrite BENCHMARKS.md unless `--write`
 * (`--no-write` keeps a full run from rewriting it). `--only scale` runs section 5 alone and only prints it;
 * `--only long-history` runs section 8 alone and only prints it; `--only events` runs section 9 (event-driven
 * freshness, a model) alone and only prints it.
 *
 * Exit code 1 when a deterministic target is missed (request counts, writes, sharing);
 * timing and memory targets are reported, not enforced, because they depend on the machine.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { measureCounts, measureLatency, type CountsRow, type LatencyRow, type Size } from './sections/requests.js';
import { measureNamespace, type NamespaceResult } from './sections/namespace.js';
import { measureScale, type ScaleResult } from './sections/scale.js';
import { measureLongHistory } from './sections/long-history.js';
import { simulateFleet, type FleetModelOptions, type FleetModelRow } from './sections/fleet.js';
import { RECEIVER_TO_SYNC_S, DELIVERY_S, simulateEventDriven, type EventModelRow } from './sections/event-freshness.js';
import { DEFAULT_FLEET_ROUND_INTERVAL_MS } from '../src/github/fleet-reads.js';
import { measureFleetService, type FleetServiceResult } from './sections/fleet-service.js';
import { measureSharing, type SharingRow } from './sections/sharing.js';
import { measureFleet, measureThroughput, type FleetResult, type ThroughputRow } from './sections/throughput.js';
import { compileService, shippedNodeFlags } from './service.js';
import { fixed, markdownTable, percentile, ratio, targetMark } from './stats.js';

/** Section 9's name for the service's design with webhooks. */
const EVENTS_DESIGN = 'events (webhook nudges)';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, write: { type: 'boolean' }, 'no-write': { type: 'boolean' }, only: { type: 'string' } },
});
const ALONE = ['scale', 'long-history', 'events'];
if (args.only !== undefined && !ALONE.includes(args.only)) throw new Error(`--only ${args.only}: the sections that run alone are ${ALONE.join(', ')}`);
const quick = args.quick;
const write = args['no-write'] ? false : (args.write ?? !quick);
const RTT_MS = 50;
const GITHUB_HOURLY_BUDGET = 5000;
/** 10,000 Environments resyncing every 60 s. */
const FLEET_RATE = 170;
/** Metacontroller's sync workers per controller (`--workers`, default 5: metacontroller pkg/cmd/metacontroller/main.go:50). */
const METACONTROLLER_WORKERS = 5;
/** The performance guard (issue 14). */
const GUARD = { cpuMsPerSync: 1.5, fleetCores: 0.3, fleetP99Ms: 50, peakRssMb: 150 };

const plan = quick
  ? {
      countSizes: [size(1, 5), size(3, 10), size(10, 20)],
      latencySizes: [size(1, 5), size(3, 10)],
      latencySamples: { ours: 5, model: 1 },
      throughput: { durationSeconds: 1, rounds: 1, warmupSeconds: 1, connections: [1, 16] },
      fleet: { rate: FLEET_RATE, connections: METACONTROLLER_WORKERS, seconds: 2, warmupSeconds: 1 },
      sharing: { counts: [1, 10, 100], burstConcurrency: 5, history: 5, compareCacheOff: false },
      scale: { applications: 10, environmentsPerApplication: 10, history: 10, windowSeconds: 5 },
      namespace: { sizes: [10, 50], perApplication: 10, history: 5 },
      longHistory: { histories: [200], rttMs: RTT_MS, samples: 1 },
    }
  : {
      countSizes: [1, 3, 10].flatMap((e) => [5, 20, 100].map((h) => size(e, h))).concat(size(3, 10)),
      latencySizes: [1, 3, 10].flatMap((e) => [5, 20, 100].map((h) => size(e, h))).concat(size(3, 10)),
      latencySamples: { ours: 15, model: 3 },
      throughput: { durationSeconds: 3, rounds: 5, warmupSeconds: 3, connections: [1, 16, 64] },
      fleet: { rate: FLEET_RATE, connections: METACONTROLLER_WORKERS, seconds: 30, warmupSeconds: 5 },
      sharing: { counts: [1, 10, 100], burstConcurrency: 5, history: 5, compareCacheOff: true, spreadWindowSeconds: 60 },
      scale: { applications: 100, environmentsPerApplication: 10, history: 10, windowSeconds: 60 },
      namespace: { sizes: [10, 50, 200], perApplication: 10, history: 10 },
      longHistory: { histories: [1000, 2000], rttMs: RTT_MS, samples: 3 },
    };

function size(environments: number, history: number): Size {
  return { environments, history };
}

const sections: string[] = [];
const failures: string[] = [];
/** The issue's targets, for the summary at the top of the report. */
const verdicts: { target: string; measured: string; met: boolean | undefined }[] = [];
const started = Date.now();
const loadAtStart = os.loadavg()[0]!;

function emit(title: string, intro: string, table: string, notes: string[] = []): void {
  const text = [`## ${title}`, '', intro, '', table, ...(notes.length ? ['', ...notes] : [])].join('\n');
  sections.push(text);
  console.log(`\n${text}\n`);
}

function log(message: string): void {
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${message}`);
}

// ---- (3) hook throughput and overhead: measured before the other sections ------------------------------
// The load generator (autocannon) runs in this process. Measured after the other sections, with their heap
// and garbage behind it, the service's p50 over the floor came out about twice what a fresh process measures
// (1.1-1.25 ms against 0.4-0.65 ms on this machine), so it is measured first.
// Memory is measured on the compiled service, as production runs it; the quick run uses the sources under tsx.
if (!quick && (args.only === undefined || args.only === 'scale')) {
  log('compiling the service for the child-process measurements');
  compileService();
}
const serviceBuild = quick
  ? 'the TypeScript sources under tsx (its loader adds about 28 MB of RSS)'
  : 'the compiled service (`tsc -p tsconfig.build.json`), as `node dist/main.js` runs it';
// `--only scale` / `--only long-history` / `--only events`: that section alone (printed, never written to BENCHMARKS.md), e.g. to measure its memory on a quiet machine.
if (args.only !== undefined) {
  if (args.only === 'scale') await scaleSection();
  else if (args.only === 'long-history') await longHistorySection();
  else eventSection();
  log(failures.length ? `deterministic targets missed: ${failures.join('; ')}` : 'deterministic targets met');
  process.exit(failures.length ? 1 : 0);
}
log('3/9 hook throughput (autocannon, service in a child process)');
const DEFAULT_CONFIG = 'default (shared read)';
const FLOOR = 'floor: fastify answering fixed bytes';
const throughput = await measureThroughput({
  ...plan.throughput,
  configs: { [DEFAULT_CONFIG]: {}, 'cache off': { LEDGER_CACHE_TTL_MS: '0' } },
  floor: FLOOR,
});
log(`3/9 a fleet's load: ${plan.fleet.rate} syncs/s, ${plan.fleet.connections} in flight, ${plan.fleet.seconds} s`);
const fleet = await measureFleet(plan.fleet);
// The same without the image's node flags: they stay only while they measurably help.
const fleetV8Defaults = quick ? undefined : await measureFleet({ ...plan.fleet, v8Defaults: true });

// ---- (1) GitHub requests per sync -------------------------------------------------------------
log('1/9 GitHub requests per sync');
const counts = await measureCounts(plan.countSizes);
sortSizes(counts);
emit(
  '1. GitHub requests per sync',
  'One sync of the most downstream Environment (a chain of E environments, H history entries each, all published). ' +
    '"ours" is counted at the GitHub emulator; "Go model" is a **model** of the Go controller\'s REST request pattern ' +
    '(`bench/go-model.ts`, documented cost ≈ 5·H + E + D + 2) run against the same emulator and data. ' +
    "Points are rate-limit points (REST: 1 per request; GraphQL: GitHub's query cost). Writes in brackets.",
  markdownTable({
    headers: ['E', 'H', 'D', 'ours steady', 'Go model steady', 'ratio', 'ours +1 entry', 'Go model +1 entry', 'ratio', 'points ours/model (steady)'],
    rows: counts.map((r) => [
      r.environments,
      r.history,
      r.deployments,
      `${r.ours.steady.requests.total} (${r.ours.steady.requests.writes})`,
      `${r.model.steady.requests.total} (${r.model.steady.requests.writes})`,
      ratio(r.model.steady.requests.total, r.ours.steady.requests.total),
      `${r.ours.newEntry.requests.total} (${r.ours.newEntry.requests.writes})`,
      `${r.model.newEntry.requests.total} (${r.model.newEntry.requests.writes})`,
      ratio(r.model.newEntry.requests.total, r.ours.newEntry.requests.total),
      `${r.ours.steady.points} / ${r.model.steady.points}`,
    ]),
  }),
  countTargets(counts),
);

// ---- (2) latency with a 50 ms GitHub ------------------------------------------------------------
log('2/9 sync latency with a 50 ms GitHub (the modelled Go pattern takes N × 50 ms per sample)');
const latency = await measureLatency(plan.latencySizes, RTT_MS, plan.latencySamples);
sortSizes(latency);
emit(
  `2. Sync latency with GitHub answering after ${RTT_MS} ms`,
  `Wall time of one sync (hook request to response for ours; one reconcile for the Go model), ` +
    `${plan.latencySamples.ours} samples per cell for ours, ${plan.latencySamples.model} for the model (each of its samples takes N × ${RTT_MS} ms). ` +
    `Every GitHub answer takes ${RTT_MS} ms plus the emulator's own work (it runs in the benchmark's process and executes each GraphQL query with graphql-js). ` +
    '"own" is our wall time minus the time the service waited for GitHub answers (request sent until answer parsed): the hook\'s own processing. ' +
    'Ratio = model p50 / ours p50.',
  markdownTable({
    headers: [
      'E',
      'H',
      'ours steady p50 / p95 ms',
      'own p50 ms',
      'Go model steady p50 / p95 ms',
      'ratio',
      'ours +1 entry p50 / p95 ms',
      'own p50 ms',
      'Go model +1 entry p50 / p95 ms',
      'ratio',
    ],
    rows: latency.map((r) => [
      r.environments,
      r.history,
      p50p95(r.ours.steady),
      fixed(percentile(r.oursOwn.steady, 50), 1),
      p50p95(r.model.steady),
      ratio(percentile(r.model.steady, 50), percentile(r.ours.steady, 50)),
      p50p95(r.ours.newEntry),
      fixed(percentile(r.oursOwn.newEntry, 50), 1),
      p50p95(r.model.newEntry),
      ratio(percentile(r.model.newEntry, 50), percentile(r.ours.newEntry, 50)),
    ]),
  }),
  latencyTargets(latency, counts),
);

// ---- (3) hook throughput and overhead (measured first, see above) -------------------------------------------
const floorAt = (connections: number) => throughput.find((r) => r.floor && r.connections === connections);
emit(
  '3. Hook throughput and overhead',
  `autocannon posts one steady-state /sync request (E=3, H=20) to a warm service, ` +
    `each configuration in a child process of its own (${serviceBuild}, node flags as in the image: ${flagList(shippedNodeFlags())}), idle while the others are measured. ` +
    `Measurements of ${plan.throughput.durationSeconds} s run interleaved in ${plan.throughput.rounds} round(s) (each round: every configuration at one concurrency, then the next concurrency), ` +
    'so drifts of the shared machine hit all rows alike; latencies and syncs/s are the medians over the rounds, syncs and CPU their totals. ' +
    "GitHub is the emulator with no added latency, in the load generator's process, which measures this section before any other so that their leftovers do not slow it. " +
    "Latency is per response as autocannon measures it (real HTTP on 127.0.0.1); CPU is the service process's user+system time " +
    "(`process.cpuUsage`) divided by the syncs served; peak RSS is the service process's `maxRSS`. " +
    `"${DEFAULT_CONFIG}": the shipped configuration: every sync is parsed, validated and computed, and syncs of the application within LEDGER_CACHE_TTL_MS share one GitHub read; ` +
    '"cache off": every sync also reads GitHub. ' +
    `"${FLOOR}": the same HTTP stack (Node's http server, fastify, same node flags) in a child process that answers every request with the service's answer bytes without reading them: ` +
    "what an HTTP exchange of this size costs on this machine before any hook runs. \"over floor\" = the row's percentile minus the floor's at the same concurrency: the hook's overhead.",
  markdownTable({
    headers: [
      'config',
      'connections',
      'syncs',
      'errors',
      'p50 ms',
      'p99 ms',
      'p50 / p99 over floor ms',
      'syncs/s',
      'CPU ms/sync',
      'GitHub requests/sync',
      'peak RSS MB',
    ],
    rows: throughput.map((r) => {
      const floor = floorAt(r.connections);
      const over = r.floor || !floor ? '' : `${fixed(r.p50Ms - floor.p50Ms, 2)} / ${fixed(r.p99Ms - floor.p99Ms, 2)}`;
      return [
        r.config,
        r.connections,
        r.syncs,
        r.errors,
        fixed(r.p50Ms, 2),
        fixed(r.p99Ms, 2),
        over,
        fixed(r.requestsPerSecond, 0),
        fixed(r.cpuMsPerSync, 3),
        r.floor ? '' : fixed(r.githubRequestsPerSync, 3),
        fixed(r.peakRssMb, 0),
      ];
    }),
  }),
  [...throughputTargets(throughput), ...fleetTargets(fleet, fleetV8Defaults)],
);

// ---- (4) sharing ------------------------------------------------------------------------------------
log('4/9 sharing between Environments of one application');
const sharing = await measureSharing(plan.sharing);
emit(
  '4. Sharing: N Environments of one application and repository',
  `N Environments of one application (one upstream, N-1 After it, H=${plan.sharing.history}, one namespace), all in steady state, ` +
    'synced by one freshly started service within one resync window.',
  markdownTable({
    headers: ['N', 'arrival', 'config', 'syncs', 'GitHub requests', 'points', 'writes'],
    rows: sharing.map((r) => [r.environments, r.arrival, r.config, r.syncs, r.requests, r.points, r.writes]),
  }),
  sharingTargets(sharing),
);

// ---- (5) scale -------------------------------------------------------------------------------------
await scaleSection();

/** Section 5, in its own function so that `--only scale` can run it alone. */
async function scaleSection(): Promise<void> {
  log(`5/9 scale: ${plan.scale.applications * plan.scale.environmentsPerApplication} Environments, one ${plan.scale.windowSeconds} s window`);
  const scaleRuns: ScaleResult[] = [await measureScale(plan.scale)];
  // One token for every repository: the service paces its shared reads by that token's budget.
  const sharedTokenRun = quick ? undefined : await measureScale({ ...plan.scale, sharedToken: true });
  if (sharedTokenRun) scaleRuns.push(sharedTokenRun);
  // The same without the image's node flags: how much of the RSS is V8's default young-generation headroom.
  const v8DefaultsRun = quick ? undefined : await measureScale({ ...plan.scale, v8Defaults: true });
  if (v8DefaultsRun) scaleRuns.push(v8DefaultsRun);
  const scale = scaleRuns[0]!;
  emit(
    `5. Scale: ${scale.applications * scale.environmentsPerApplication} Environments across ${scale.applications} applications`,
    `${scale.applications} applications (one repository and namespace each), ${scale.environmentsPerApplication} Environments each (H=${scale.history}, one upstream and the rest After it), ` +
      `one service in a child process (${serviceBuild}) with the default configuration, NODE_ENV=production and the node flags of the image's CMD. ` +
      `First every Environment's first sync (8 at a time, as after a restart), then each Environment once more at a seeded random moment ` +
      `of one ${scale.windowSeconds} s window (one resync period at requeueInterval ${scale.windowSeconds}s). ` +
      `**Per hour = the measured window × ${fixed(3600 / scale.windowSeconds, 0)} (extrapolated, not measured for an hour).** ` +
      "RSS is read right after the window; peak RSS is the process's lifetime maximum (it includes the first-sync burst); " +
      'retained heap is the heap in use after a full garbage collection, i.e. what the service keeps for these Environments.',
    markdownTable({
      headers: [
        'node flags',
        'tokens',
        'syncs in window',
        'errors',
        'GitHub requests',
        'writes',
        'requests/hour',
        'points/hour',
        'busiest token: points/hour',
        'shared read kept after the window s',
        'per application: requests/hour',
        'RSS MB',
        'peak RSS MB',
        'heap MB',
        'retained heap MB',
      ],
      rows: scaleRuns.map((r) => [
        r.v8Defaults ? `V8 defaults: ${flagList(r.nodeFlags)}` : `as shipped: ${flagList(r.nodeFlags)}`,
        r.sharedToken ? '1, shared by all' : `${r.tokens}, one per repository`,
        r.syncs,
        r.errors,
        r.requests,
        r.writes,
        fixed(r.requestsPerHour, 0),
        fixed(r.pointsPerHour, 0),
        fixed(r.maxTokenPointsPerHour, 0),
        fixed(r.sharedReadLifetimeSeconds, 0),
        fixed(r.requestsPerHour / r.applications, 0),
        fixed(r.rssMb, 0),
        fixed(r.peakRssMb, 0),
        fixed(r.heapUsedMb, 0),
        fixed(r.retainedHeapMb, 0),
      ]),
    }),
    scaleTargets(scale, v8DefaultsRun, sharedTokenRun),
  );
}

// ---- (6) one namespace -------------------------------------------------------------------------------
log(`6/9 one namespace: up to ${Math.max(...plan.namespace.sizes)} Environments`);
const namespace = await measureNamespace(plan.namespace);
emit(
  `6. One namespace: up to ${Math.max(...plan.namespace.sizes)} Environments`,
  `N Environments in one namespace (applications of ${plan.namespace.perApplication} Environments, one repository each, H=${plan.namespace.history}), in steady state, ` +
    'one service in this process. /customize asks Metacontroller for every Environment of the namespace, so each sync request carries all N of them with their statuses; ' +
    "and Metacontroller re-syncs every parent whose related rules match a changed object, so one Environment's status write enqueues all N " +
    '(metacontroller v4.17.2 `pkg/controller/common/customize/manager.go:310-351`; [docs/metacontroller.md](docs/metacontroller.md)). ' +
    'Request bytes are the JSON Metacontroller would send; sync ms is one hook call over HTTP (a steady-state resync, answered again from the previous answer when byte-identical).',
  markdownTable({
    headers: ['N', 'applications', 'request bytes (median / largest)', 'response bytes', 'sync p50 / p95 ms'],
    rows: namespace.rows.map((r) => [
      r.environments,
      r.applications,
      `${r.requestBytes} / ${r.largestRequestBytes}`,
      r.responseBytes,
      `${fixed(r.syncP50Ms, 1)} / ${fixed(r.syncP95Ms, 1)}`,
    ]),
  }),
  namespaceNotes(namespace),
);

// ---- (7) fleet freshness ---------------------------------------------------------------------------
log('7/9 fleet freshness: 40 applications on the service, 1,000 Environments in a simulated hour');
const fleetService = await measureFleetService(40);
const fleetOptions = {
  repositories: 100,
  applicationsPerRepository: 2,
  releasesPerApplicationPerHour: 0.25,
  bakeSeconds: 300,
  requeueSeconds: 60,
  hourlyLimit: GITHUB_HOURLY_BUDGET,
  seed: 7,
};
const fleetRows = (['per-application reads (before)', 'batched reads', 'Go controller model'] as const).map((policy) => simulateFleet(policy, fleetOptions));
emit(
  '7. Fleet freshness: many applications on one token',
  'First the service itself: 40 applications in 40 repositories on one token, each production waiting for its staging; productions resync every 15 s for 45 s ' +
    '(a compressed clock), every staging bake success is recorded at 5 s. Then a **simulated hour** (a model, bench/sections/fleet.ts): one token, 100 repositories, ' +
    '2 applications each, 5 Environments per application (dev → staging → 3 productions; 1,000 Environments), requeueInterval 60 s, a release per application every 4 hours, ' +
    "5 min bakes. Read costs come from the service's own query planner priced by GitHub's formula, shared-read lifetimes from its budget pacing. " +
    'Latency: from the upstream bake success recorded on GitHub to the downstream gate allowing the version.',
  [
    markdownTable({
      headers: ['service run', 'applications', 'GraphQL points', 'batched rounds', 'gates showing the news at 45 s'],
      rows: [
        [
          '40 applications, 45 s',
          fleetService.applications,
          fleetService.points,
          fleetService.rounds,
          `${fleetService.gatesWithNews} / ${fleetService.applications}`,
        ],
      ],
    }),
    '',
    markdownTable({
      headers: [
        'model (1,000 Environments, 1 hour)',
        'read points/hour',
        'write points/hour',
        'share of 5,000',
        'promotions',
        'p50 latency',
        'p95 latency',
        'budget exhausted at',
      ],
      rows: fleetRows.map((r) => [
        r.policy,
        r.readPoints,
        r.writePoints,
        `${fixed((100 * (r.readPoints + r.writePoints)) / GITHUB_HOURLY_BUDGET, 0)} %`,
        `${r.latenciesS.length} (${r.stalled} news unseen)`,
        r.latenciesS.length ? `${fixed(percentile(r.latenciesS, 50), 1)} s` : '—',
        r.latenciesS.length ? `${fixed(percentile(r.latenciesS, 95), 1)} s` : '—',
        r.exhaustedAtS === undefined ? 'never' : `${fixed(r.exhaustedAtS / 60, 1)} min`,
      ]),
    }),
  ].join('\n'),
  freshnessTargets(fleetService, fleetRows),
);

await longHistorySection();

/** (8): reads and status of a year-old application, with the read horizon and with a full read, side by side. */
async function longHistorySection(): Promise<void> {
  log(`8/9 long history: H = ${plan.longHistory.histories.join(', ')} deployments per environment`);
  const rows = await measureLongHistory(plan.longHistory);
  for (const r of rows) {
    if (r.mode === 'horizon' && r.publish.requests > 5) failures.push(`publishing at H=${r.history} took ${r.publish.requests} requests (target ≤ 5)`);
    if (r.statusBytes >= 64 * 1024) failures.push(`status at H=${r.history} (${r.mode}) is ${r.statusBytes} bytes (target < 64 KiB)`);
  }
  const horizon = rows.filter((r) => r.mode === 'horizon');
  verdicts.push({
    target: 'publishing one release with ≥ 1,000 deployments per environment: ≤ 5 GitHub requests',
    measured: horizon.map((r) => `${r.publish.requests} at H=${r.history}`).join(', '),
    met: horizon.length ? horizon.every((r) => r.publish.requests <= 5) : undefined,
  });
  emit(
    '8. Long history: a year of releases',
    `H deployments in each of staging and production (one application); production's Rollout keeps its newest 10 entries and its 3 newest releases as candidates. ` +
      `"steady" is a sync with nothing to write, "publish" the sync that publishes release H+1 (deployment and status). GitHub answers after ${plan.longHistory.rttMs} ms; ` +
      `times are medians of ${plan.longHistory.samples}. "full read" sends the same Rollout without entry timestamps: the read horizon is unknown, so the read pages through all of history, as every sync did before.`,
    markdownTable({
      headers: ['H', 'read', 'steady: requests', 'steady: ms', 'publish: requests', 'publish: ms', 'status bytes'],
      rows: rows.map((r) => [
        r.history,
        r.mode,
        r.steady.requests,
        fixed(r.steady.ms, 0),
        `${r.publish.requests} (${r.publish.writes} writes)`,
        fixed(r.publish.ms, 0),
        r.statusBytes,
      ]),
    }),
  );
}

// ---- (9) event-driven freshness ------------------------------------------------------------------
eventSection();

// ---- report ----------------------------------------------------------------------------------------
const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${fixed(os.totalmem() / 1024 ** 3, 0)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
const header = [
  '# Benchmarks',
  '',
  `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)} in ${fixed((Date.now() - started) / 1000, 0)} s.`,
  `Machine: ${machine}; 1-minute load average ${fixed(loadAtStart, 1)} at the start and ${fixed(os.loadavg()[0]!, 1)} at the end ` +
    '(other work shared the machine: absolute times are inflated by it, ratios within a table much less). Every comparison below ran side by side in this one run.',
  '',
  'The "Go model" is **a model**, not kuberik\'s Go controller: `bench/go-model.ts` issues the sequence of REST calls that controller makes per reconcile ' +
    '(see its header) against the same GitHub emulator and data, so only its request pattern and its latency under a slow GitHub are compared.',
  '',
  "GitHub is the project's emulator (`tools/github-emulator/`), which validates every GraphQL query against GitHub's schema; request counts are taken at the emulator." +
    ' The container image runs Node 24; memory figures on other Node versions differ.',
  '',
  '## Targets (issues 4 and 14)',
  '',
  markdownTable({
    headers: ['target', 'measured', 'verdict'],
    rows: verdicts.map((v) => [v.target, v.measured, v.met === undefined ? 'not measured at this size' : targetMark(v.met)]),
  }),
  '',
  failures.length ? `**Deterministic targets missed:** ${failures.join('; ')}` : 'All deterministic targets (request counts, writes, sharing) are met.',
].join('\n');
const report = `${header}\n\n${sections.join('\n\n')}\n`;
if (write) {
  const file = path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md');
  writeFileSync(file, report);
  log(`wrote ${path.relative(process.cwd(), file)}`);
}
log(failures.length ? `deterministic targets missed: ${failures.join('; ')}` : 'deterministic targets met');
process.exitCode = failures.length ? 1 : 0;

// ---- targets ----
function freshnessTargets(service: FleetServiceResult, rows: FleetModelRow[]): string[] {
  const notes: string[] = [];
  const small = service.points <= 12 && service.gatesWithNews === service.applications;
  if (!small) failures.push('40 applications on one token: more than 12 GraphQL points or a gate without the news');
  verdicts.push({
    target: '40 applications on one token, news at 5 s: ≤ 12 GraphQL points in 45 s, every gate shows the news',
    measured: `${service.points} points in ${service.rounds} batched rounds; ${service.gatesWithNews} / ${service.applications} gates show the news`,
    met: small,
  });
  notes.push(
    `- Target: 40 applications ≤ 12 points, every gate current — ${targetMark(small)} (${service.points} points, ${service.gatesWithNews} / ${service.applications} gates).`,
  );
  const batched = rows.find((r) => r.policy === 'batched reads')!;
  const share = (batched.readPoints + batched.writePoints) / GITHUB_HOURLY_BUDGET;
  const p95 = percentile(batched.latenciesS, 95);
  const fleet = share <= 0.8 && p95 <= 15 && batched.stalled === 0;
  if (!fleet) failures.push('1,000 Environments on one token: above 80 % of the budget or p95 promotion latency above 15 s (model)');
  verdicts.push({
    target: '1,000 Environments / 100 repositories / one token: p95 news → gate ≤ 15 s within 80 % of 5,000 points/hour (model)',
    measured: `p95 ${fixed(p95, 1)} s, p50 ${fixed(percentile(batched.latenciesS, 50), 1)} s; ${batched.readPoints + batched.writePoints} points/hour (${fixed(100 * share, 0)} %)`,
    met: fleet,
  });
  notes.push(
    `- Target: 1,000 Environments, p95 ≤ 15 s within 80 % of the budget — ${targetMark(fleet)} in the model (p95 ${fixed(p95, 1)} s, ${fixed(100 * share, 0)} % of 5,000 points, reads and writes together).`,
    '- Per-application reads pay at least 1 point per application per read, so the pacing stretches each shared read; the Go pattern spends the hourly budget within the first minute and then waits for the reset, so no version is promoted.',
    '- Writes (a read before each write and the status post, 2 points) are the same for both of our read policies; they grow with the release rate, not with freshness.',
  );
  return notes;
}

/** Section 9: the fleet model of section 7 with webhook deliveries nudging Environments, beside today's polling, in one run. */
function eventSection(): void {
  const fleet = (repositories: number, hourlyLimit: number): FleetModelOptions => ({
    repositories,
    applicationsPerRepository: 2,
    releasesPerApplicationPerHour: 0.25,
    bakeSeconds: 300,
    requeueSeconds: 60,
    hourlyLimit,
    seed: 7,
  });
  const cases = [
    { label: '1,000 Environments, 100 repositories, one token', options: fleet(100, GITHUB_HOURLY_BUDGET), whatIf: false },
    ...(quick
      ? []
      : [
          { label: '10,000 Environments, 1,000 repositories, one App installation', options: fleet(1000, 12_500), whatIf: true },
          { label: '10,000 Environments, 1,000 repositories, one token', options: fleet(1000, GITHUB_HOURLY_BUDGET), whatIf: false },
        ]),
  ];
  log(`9/9 event-driven freshness: ${cases.length === 1 ? 'one fleet' : `${cases.length} fleets`}, polling and events side by side (a simulated hour each)`);
  const rows: EventTableRow[] = [];
  for (const c of cases) {
    rows.push({
      label: c.label,
      limit: c.options.hourlyLimit,
      design: 'polling (today: section 7 batched reads)',
      row: simulateFleet('batched reads', c.options),
    });
    rows.push({ label: c.label, limit: c.options.hourlyLimit, design: EVENTS_DESIGN, row: simulateEventDriven(c.options) });
    if (c.whatIf) {
      rows.push({
        label: c.label,
        limit: c.options.hourlyLimit,
        design: `${EVENTS_DESIGN}, with no limit: what the hour asks for`,
        row: simulateEventDriven({ ...c.options, hourlyLimit: Number.MAX_SAFE_INTEGER }),
      });
      rows.push({
        label: c.label,
        limit: c.options.hourlyLimit,
        design: `${EVENTS_DESIGN}, FLEET_ROUND_INTERVAL_MS=0 (a round as soon as a read waits), with no limit`,
        row: simulateEventDriven({ ...c.options, hourlyLimit: Number.MAX_SAFE_INTEGER, roundIntervalS: 0 }),
      });
    }
  }
  const share = (points: number, limit: number) => `${fixed((100 * points) / limit, 0)} %`;
  emit(
    '9. Event-driven freshness: webhooks nudge, polling is the safety net',
    "Section 7's fleet model (same seed: the same releases; within the hour, faster promotion completes more of them and an exhausted budget cuts them) with the webhook receiver: every status written to GitHub is a delivery, " +
      `which reaches the receiver ${DELIVERY_S.min}–${DELIVERY_S.max} s later (assumed, uniform: GitHub publishes no delivery-time figure), ` +
      `and ${RECEIVER_TO_SYNC_S} s after that (the receiver's PATCH, the API server's watch, Metacontroller's queue) the marked Environment and those with a relationship to it sync. ` +
      `A marked sync never uses a read that started before its mark: it waits for its token's next batched round, which starts once FLEET_ROUND_INTERVAL_MS (${DEFAULT_FLEET_ROUND_INTERVAL_MS / 1000} s) has passed since the previous one began, so everything waiting meanwhile shares it. ` +
      'Where events flow there is no near-change polling, shared reads live EVENTS_FLOWING_TTL_MS (60 s), a round refreshes along the applications at three quarters of that (polled ones at half their lifetime), and every Environment still resyncs at its requeueInterval (60 s) as the safety net. ' +
      "Writes: each status is a GraphQL mutation (1 point); a sync that decided from a shared read re-reads in the next round first, and rounds carrying only such reads count as writes. Section 7's polling model charges every status 2 points (the read before it alone and the post). Deployments are created over REST (the core bucket, a separate budget): counted apart. " +
      "Latency: from the upstream bake success recorded on GitHub to the downstream sync whose read shows it; GitHub's answer time is left out in both designs. " +
      "News unseen: recorded over requeueInterval + EVENTS_FLOWING_TTL_MS + 15 s (the safety net's bound) before the hour ended, with news younger than that in brackets (polling rows: all news unseen). " +
      "The fleet was running before the hour: each repository's newest mark is from its previous release. Details: bench/sections/event-freshness.ts.",
    markdownTable({
      headers: [
        'fleet',
        'hourly limit',
        'design',
        'read points/hour',
        'write points/hour',
        'status posts / deployments created (REST)',
        'reads share',
        'reads + writes share',
        'promotions',
        'news unseen',
        'p50 / p95 latency',
        'budget exhausted at',
        'deliveries → marked syncs → application reads → rounds',
      ],
      rows: rows.map(({ label, limit, design, row: r }) => [
        label,
        limit,
        design,
        r.readPoints,
        r.writePoints,
        'statusPosts' in r ? `${r.statusPosts} / ${r.deploymentsCreated}` : `${r.writePoints / 2} / —`,
        share(r.readPoints, limit),
        share(r.readPoints + r.writePoints, limit),
        r.latenciesS.length,
        'inFlight' in r ? `${r.stalled} (+${r.inFlight})` : `${r.stalled}`,
        r.latenciesS.length ? `${fixed(percentile(r.latenciesS, 50), 1)} / ${fixed(percentile(r.latenciesS, 95), 1)} s` : '—',
        r.exhaustedAtS === undefined ? 'never' : `${fixed(r.exhaustedAtS / 60, 1)} min`,
        'deliveries' in r ? `${r.deliveries} → ${r.markedSyncs} → ${r.markedReads} → ${r.rounds} (${r.eventRounds} with a marked sync)` : '—',
      ]),
    }),
    eventTargets(rows),
  );
}

interface EventTableRow {
  label: string;
  limit: number;
  design: string;
  row: FleetModelRow | EventModelRow;
}

function eventTargets(rows: EventTableRow[]): string[] {
  const notes: string[] = [];
  const percent = (points: number, limit: number) => fixed((100 * points) / limit, 0);
  const events = rows.filter((r) => r.design === EVENTS_DESIGN);
  const small = events[0]!;
  const p95 = (r: FleetModelRow | EventModelRow) => percentile(r.latenciesS, 95);
  const smallMet = p95(small.row) <= 5 && small.row.readPoints <= 0.15 * small.limit && small.row.stalled === 0;
  if (!smallMet) failures.push('1,000 Environments with events: p95 above 5 s or reads above 15 % of 5,000 points (model)');
  verdicts.push({
    target: '1,000 Environments / 100 repositories / one token, events flowing: p95 news → gate ≤ 5 s, reads ≤ 15 % of 5,000 points/hour (model)',
    measured: `p95 ${fixed(p95(small.row), 1)} s; reads ${small.row.readPoints} points (${percent(small.row.readPoints, small.limit)} %), writes ${small.row.writePoints}`,
    met: smallMet,
  });
  notes.push(`- Target: 1,000 Environments with events, p95 ≤ 5 s and reads ≤ 15 % — ${targetMark(smallMet)} in the model.`);
  const large = events.find((r) => r.limit === 12_500);
  if (large) {
    const total = large.row.readPoints + large.row.writePoints;
    const met = p95(large.row) <= 5 && total <= 0.8 * large.limit && large.row.exhaustedAtS === undefined && large.row.stalled === 0;
    if (!met) failures.push('10,000 Environments on one installation with events: p95 above 5 s, or reads + writes above 80 % of 12,500 points (model)');
    verdicts.push({
      target: '10,000 Environments / 1,000 repositories / one App installation (12,500 points/hour), events flowing: p95 ≤ 5 s, reads + writes ≤ 80 % (model)',
      measured: `p95 ${fixed(p95(large.row), 1)} s; reads ${large.row.readPoints} + writes ${large.row.writePoints} = ${total} points (${percent(total, large.limit)} %), budget exhausted ${large.row.exhaustedAtS === undefined ? 'never' : `at ${fixed(large.row.exhaustedAtS / 60, 1)} min`}`,
      met,
    });
    const unspaced = rows.find((x) => x.limit === 12_500 && x.design.includes('FLEET_ROUND_INTERVAL_MS=0'))!.row as EventModelRow;
    const event = large.row as EventModelRow;
    notes.push(
      `- Target: 10,000 Environments on one installation, p95 ≤ 5 s within 80 % of 12,500 — ${targetMark(met)} in the model (${percent(total, large.limit)} %). ` +
        `GitHub prices every query at least a point, so the number of rounds decides the read points more than what they read: with rounds as soon as a read waits, ` +
        `the hour's ${unspaced.deliveries} deliveries take ${unspaced.rounds} rounds and ${unspaced.readPoints} read points (${percent(unspaced.readPoints + unspaced.writePoints, large.limit)} % with the writes); ` +
        `spaced by FLEET_ROUND_INTERVAL_MS, ${event.rounds} rounds carry them for ${event.readPoints}, at a p95 of ${fixed(p95(event), 1)} s against ${fixed(p95(unspaced), 1)} s.`,
    );
  }
  notes.push(
    '- Coalescing: deliveries whose syncs wait for the same round cost one read of their repository, and the round reads every repository waiting together (one query, one part per repository): the last column shows how many syncs and reads the deliveries became.',
    '- Writes differ between the designs only in how their reads are counted: the status posts are the same releases moving through the same environments (more of them complete within the hour when promotion is faster).',
  );
  return notes;
}

// ---- targets ---------------------------------------------------------------------------------------

function countTargets(rows: CountsRow[]): string[] {
  const worstSteady = Math.max(...rows.map((r) => r.ours.steady.requests.total));
  const steadyWrites = rows.reduce((n, r) => n + r.ours.steady.requests.writes, 0);
  const target = rows.find((r) => r.environments === 3 && r.history === 10);
  const notes = [
    `- Target: steady state ≤ 2 GitHub requests and 0 writes — ${targetMark(worstSteady <= 2 && steadyWrites === 0)} (at most ${worstSteady} request(s), ${steadyWrites} writes).`,
  ];
  if (worstSteady > 2 || steadyWrites > 0) failures.push('steady state above 2 requests or with writes');
  verdicts.push({
    target: 'steady state ≤ 2 GitHub requests, 0 writes',
    measured: `${worstSteady} request, ${steadyWrites} writes (every size)`,
    met: worstSteady <= 2 && steadyWrites === 0,
  });
  if (target) {
    const r = target.model.steady.requests.total / target.ours.steady.requests.total;
    notes.push(
      `- Target: ≥ 50× fewer requests than the modelled Go pattern at H=10, E=3 — ${targetMark(r >= 50)} (${ratio(target.model.steady.requests.total, target.ours.steady.requests.total)}).`,
    );
    if (r < 50) failures.push('fewer than 50× fewer requests than the Go model at H=10, E=3');
    verdicts.push({
      target: '≥ 50× fewer requests than the modelled Go pattern at H=10, E=3',
      measured: `${target.ours.steady.requests.total} vs ${target.model.steady.requests.total}: ${ratio(target.model.steady.requests.total, target.ours.steady.requests.total)}`,
      met: r >= 50,
    });
  }
  notes.push('- A new history entry costs us one read, one deployment (REST) and one status (GraphQL): 3 requests, 2 of them writes, whatever E and H.');
  return notes;
}

function latencyTargets(rows: LatencyRow[], countRows: CountsRow[]): string[] {
  const rounds = (kind: 'steady' | 'newEntry') => Math.max(...countRows.map((r) => sequentialRoundTrips(r.ours[kind].requests)));
  const ownWorst = (kind: 'steady' | 'newEntry') => Math.max(...rows.map((r) => percentile(r.oursOwn[kind], 50)));
  const wallRtt = (kind: 'steady' | 'newEntry') => Math.max(...rows.map((r) => percentile(r.ours[kind], 50))) / RTT_MS;
  const met = rounds('steady') <= 3 && rounds('newEntry') <= 3;
  verdicts.push({
    target: `sync latency ≤ 3 RTT at ${RTT_MS} ms RTT`,
    measured:
      `${rounds('steady')} GitHub round trip steady, ${rounds('newEntry')} with a new entry; plus own processing p50 ≤ ${fixed(ownWorst('steady'), 1)} / ${fixed(ownWorst('newEntry'), 1)} ms; ` +
      `wall p50 ≤ ${fixed(wallRtt('steady'), 2)} / ${fixed(wallRtt('newEntry'), 2)} × ${RTT_MS} ms, including the emulator's own work`,
    met,
  });
  return [
    `- Target: sync latency ≤ 3 RTT — ${targetMark(met)} in round trips: a steady-state sync waits for ${rounds('steady')} GitHub answer, a sync with a new entry for ${rounds('newEntry')} ` +
      '(read, create the deployment, post its status: each needs the previous answer). On top come our own processing ("own") and the emulator\'s work, ' +
      `which grows with the ledger it serves: the largest wall time is ${fixed(wallRtt('steady'), 2)} × ${RTT_MS} ms steady and ${fixed(wallRtt('newEntry'), 2)} × ${RTT_MS} ms with a new entry.`,
    '- The Go model waits one RTT per request, so its latency is ≈ N · RTT (N from table 1).',
  ];
}

/** Our requests of one sync all wait for the previous answer: the count is the number of sequential round trips. */
function sequentialRoundTrips(requests: { total: number }): number {
  return requests.total;
}

function throughputTargets(rows: ThroughputRow[]): string[] {
  const find = (config: string, connections: number) => rows.find((r) => r.config === config && r.connections === connections);
  const c16 = find(DEFAULT_CONFIG, 16);
  const floor16 = find(FLOOR, 16);
  const c1 = find(DEFAULT_CONFIG, 1);
  const notes: string[] = [];
  if (c16) {
    const met = c16.cpuMsPerSync <= GUARD.cpuMsPerSync;
    notes.push(
      `- Target: CPU per computed sync ≤ ${GUARD.cpuMsPerSync} ms (E=3, H=20, concurrency 16) — ${targetMark(met)} (${fixed(c16.cpuMsPerSync, 3)} ms of service CPU per sync).` +
        (floor16 ? ` Over the floor at concurrency 16: p50 / p99 ${fixed(c16.p50Ms - floor16.p50Ms, 2)} / ${fixed(c16.p99Ms - floor16.p99Ms, 2)} ms.` : ''),
    );
    verdicts.push({
      target: `CPU per computed sync ≤ ${GUARD.cpuMsPerSync} ms (E=3, H=20)`,
      measured: `${fixed(c16.cpuMsPerSync, 3)} ms at concurrency 16`,
      met,
    });
  }
  if (c1) notes.push(`- At concurrency 1 (no queueing) one sync takes p50 ${fixed(c1.p50Ms, 2)} ms / p99 ${fixed(c1.p99Ms, 2)} ms end to end over HTTP.`);
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) failures.push(`${errors} failed hook requests under load`);
  return notes;
}

function fleetTargets(r: FleetResult, v8Defaults: FleetResult | undefined): string[] {
  const cores = r.cpuCores <= GUARD.fleetCores;
  const p99 = r.p99Ms < GUARD.fleetP99Ms;
  verdicts.push({
    target: `10,000 Environments every 60 s (${r.rate} syncs/s, ${r.connections} in flight): < ${fixed(GUARD.fleetCores * 100, 0)} % of one core`,
    measured: `${fixed(r.cpuCores * 100, 1)} % of one core (${fixed(r.syncs / r.seconds, 0)} syncs/s served)`,
    met: cores,
  });
  verdicts.push({
    target: `the same fleet: hook p99 < ${GUARD.fleetP99Ms} ms`,
    measured: `p99 ${fixed(r.p99Ms, 2)} ms (p50 ${fixed(r.p50Ms, 2)} ms)`,
    met: p99,
  });
  if (r.errors > 0) failures.push(`${r.errors} failed hook requests in the fleet run`);
  return [
    `- Target: a fleet of 10,000 Environments resyncing every 60 s — autocannon sends the same steady-state sync at ${r.rate}/s over ${r.connections} connections ` +
      `(Metacontroller's default sync workers) for ${r.seconds} s to the default service alone in its child process: ${r.syncs} syncs, ${r.errors} errors, ` +
      `${fixed(r.cpuCores * 100, 1)} % of one core (${targetMark(cores)} < ${fixed(GUARD.fleetCores * 100, 0)} %; ${fixed(r.cpuMsPerSync, 3)} ms per sync), ` +
      `p50 / p99 ${fixed(r.p50Ms, 2)} / ${fixed(r.p99Ms, 2)} ms (${targetMark(p99)} p99 < ${GUARD.fleetP99Ms} ms), ${fixed(r.githubRequestsPerSync, 3)} GitHub requests per sync, peak RSS ${fixed(r.peakRssMb, 0)} MB.`,
    ...(v8Defaults
      ? [
          `- The same fleet without the image's node flags (V8's defaults): ${fixed(v8Defaults.cpuCores * 100, 1)} % of one core, ` +
            `p50 / p99 ${fixed(v8Defaults.p50Ms, 2)} / ${fixed(v8Defaults.p99Ms, 2)} ms, peak RSS ${fixed(v8Defaults.peakRssMb, 0)} MB (with them: ${fixed(r.peakRssMb, 0)} MB).`,
        ]
      : []),
  ];
}

function sharingTargets(rows: SharingRow[]): string[] {
  const shared = rows.filter((r) => r.config === 'shared read (default)' && r.arrival.startsWith('burst'));
  // A fresh service learns each application's read horizon from its syncs: when the first to read
  // (the upstream) needs less history than its gated downstreams, the first read is repeated once,
  // and the widest horizon is kept for the application's later reads (LedgerCache.readSince).
  const several = shared.filter((r) => r.environments > 1);
  const single = shared.find((r) => r.environments === 1);
  const flat = several.every((r) => r.requests === several[0]?.requests) && (single === undefined || several.every((r) => r.requests <= single.requests + 1));
  if (!flat) failures.push('GitHub requests grow with N same-application Environments in a burst');
  verdicts.push({
    target: 'GitHub requests flat in N same-application Environments (a fresh service: at most one read more than N=1, while it learns the read horizon)',
    measured: shared.map((r) => `N=${r.environments}: ${r.requests}`).join(', '),
    met: flat,
  });
  const writes = rows.reduce((n, r) => n + r.writes, 0);
  if (writes > 0) failures.push('writes in the sharing benchmark');
  const spread = rows.filter((r) => r.arrival.startsWith('spread'));
  return [
    `- Target: GitHub requests flat in N (N > 1 alike; at most one more than N=1: a fresh service re-reads once when the upstream, reading first, needs less history than its gated downstreams) — ${targetMark(flat)} for a burst (${shared.map((r) => `N=${r.environments}: ${r.requests}`).join(', ')}).`,
    ...(spread.length
      ? [
          `- Spread evenly over a whole resync window, the shared read (TTL ${defaultTtlSeconds()} s) is fetched at most once per TTL: ` +
            `${spread.map((r) => `N=${r.environments}: ${r.requests}`).join(', ')} — bounded by ⌈window / TTL⌉, not by N.`,
        ]
      : []),
    '- "cache off" (LEDGER_CACHE_TTL_MS=0): only syncs that overlap in time share a read (the one in flight).',
  ];
}

function namespaceNotes(r: NamespaceResult): string[] {
  const [small, large] = [r.rows[0]!, r.rows[r.rows.length - 1]!];
  const perEnvironment = (large.requestBytes - small.requestBytes) / (large.environments - small.environments);
  const base = small.requestBytes - perEnvironment * small.environments;
  const limit = loadConfig({}).bodyLimitBytes;
  const atLimit = Math.floor((limit - base) / perEnvironment);
  const rounds = r.cascade.rounds;
  const syncs = rounds.reduce((n, x) => n + x.syncs, 0);
  const seconds = rounds.reduce((n, x) => n + x.seconds, 0);
  const requests = rounds.reduce((n, x) => n + x.githubRequests, 0);
  return [
    `- Request size grows by about ${fixed(perEnvironment / 1024, 1)} KiB per Environment in the namespace (its spec and status), ` +
      `so at the default BODY_LIMIT_BYTES (${limit} bytes) a namespace holds about ${atLimit} Environments of this size before every hook call is refused with 413.`,
    `- One status change in a namespace of ${r.cascade.environments}: the upstream Environment of one application gets a new history entry. ` +
      `Rounds (each round is every Environment Metacontroller enqueued after the status writes of the previous one): ` +
      rounds
        .map((x, i) => `${i + 1}: ${x.syncs} sync(s), ${x.statusChanges} status write(s), ${x.githubRequests} GitHub requests, ${fixed(x.seconds, 1)} s`)
        .join('; ') +
      `. In all: ${syncs} syncs and ${requests} GitHub requests (shared reads keep these flat), ${fixed(seconds, 1)} s of hook time for one change, ` +
      `${fixed(syncs / r.cascade.environments, 1)} syncs per Environment.`,
    `- Limit and advice: syncs per status change grow with N and each carries all N Environments, so the work per change grows with N². ` +
      'Keep a namespace to the Environments of a few applications (tens, not hundreds); put applications in namespaces of their own. ' +
      'See docs/metacontroller.md ("Many Environments in one namespace").',
  ];
}

function scaleTargets(r: ScaleResult, v8Defaults: ScaleResult | undefined, shared: ScaleResult | undefined): string[] {
  // v8Defaults: the same run without the image's node flags.
  const environments = r.applications * r.environmentsPerApplication;
  const notes = [
    `- Target: peak RSS < ${GUARD.peakRssMb} MB at 1,000 Environments — ${environments >= 1000 ? `${targetMark(r.peakRssMb < GUARD.peakRssMb)} (peak ${fixed(r.peakRssMb, 0)} MB, ${fixed(r.rssMb, 0)} MB after the window)` : `not applicable to this quick run (${environments} Environments, peak ${fixed(r.peakRssMb, 0)} MB)`}. ` +
      `The service retains ${fixed(r.retainedHeapMb, 0)} MB of heap after a full collection; the rest of the RSS is Node and its modules ` +
      '(fastify, undici, ajv, prom-client, octokit: about 90 MB for an idle service here) plus heap V8 keeps after the first-sync burst.' +
      (v8Defaults ? ` With V8's defaults (${flagList(v8Defaults.nodeFlags)}) the peak was ${fixed(v8Defaults.peakRssMb, 0)} MB.` : ''),
    `- GitHub budget, one token per repository: ${fixed(r.requestsPerHour, 0)} requests/hour (${fixed(r.pointsPerHour, 0)} points) in total, ${fixed(r.requestsPerHour / r.applications, 0)} requests ` +
      `(${fixed(r.pointsPerHour / r.applications, 0)} points) per application. GitHub's ${GITHUB_HOURLY_BUDGET}/hour is per token, GraphQL points and REST requests counted separately; ` +
      `a read of an application's ${r.environmentsPerApplication} environments costs ${fixed(r.pointsPerHour / Math.max(r.requestsPerHour, 1), 1)} points on average ` +
      "(a warm read selects each deployment's latestStatus only and reuses the statuses kept from the previous read: GitHub's minimum of 1 point). " +
      `Reads per application: ${fixed(r.requestsPerHour / r.applications / 60, 1)} per minute, bounded by the shared read's TTL (${defaultTtlSeconds()} s), not by its ${r.environmentsPerApplication} Environments. ` +
      `The busiest token spends ${fixed(r.maxTokenPointsPerHour, 0)} points/hour, ${fixed((100 * r.maxTokenPointsPerHour) / GITHUB_HOURLY_BUDGET, 1)} % of its budget, so the service never stretches a read (kept ${fixed(r.sharedReadLifetimeSeconds, 0)} s).`,
  ];
  if (shared) {
    notes.push(
      `- GitHub budget, one token shared by all ${shared.applications} repositories: unpaced, these Environments would need ${fixed(r.pointsPerHour / GITHUB_HOURLY_BUDGET, 1)}× the token's ${GITHUB_HOURLY_BUDGET} points/hour. ` +
        `The emulator applies that budget per token, and the service paces by what each read reports: in the window after the restart burst the token spent ${shared.points} points ` +
        `(${fixed(shared.pointsPerHour, 0)}/hour at that pace, ${shared.requests} requests, ${shared.errors} failed syncs), ` +
        (shared.sharedReadLifetimeSeconds * 1000 > loadConfig({}).ledgerCacheTtlMs
          ? `and a shared read was then kept ${fixed(shared.sharedReadLifetimeSeconds, 0)} s instead of ${defaultTtlSeconds()} s ` +
            "(long enough that a round of reads of every application on the token, each at its last read's cost, spends at most 90 % of the remaining points spread until the window resets; at most LEDGER_CACHE_MAX_TTL_MS; right after a restart every last read was a cold one, so the first rounds are priced high). "
          : `its rounds at most one per FLEET_ROUND_INTERVAL_MS (${DEFAULT_FLEET_ROUND_INTERVAL_MS / 1000} s), each reading every application waiting or due, so the pacing had no need to stretch a read: it was then kept ${fixed(shared.sharedReadLifetimeSeconds, 0)} s, the TTL ` +
            "(pacing stretches it when a round of reads of every application on the token, each at its last read's cost, would spend more than 90 % of the remaining points spread until the window resets). ") +
        'The pace keeps adapting through the hour, so this window is no hourly figure; `test/unit/github/budget.test.ts` follows the same rule over a whole hour. ' +
        'Gates see upstream bakes later by up to that lifetime; without pacing the token would run dry within the hour and every sync would fail closed with GitHubRateLimited until the reset.',
    );
  }
  if (r.windowSeconds * 1000 < loadConfig({}).ledgerCacheTtlMs) {
    notes.push(
      `- This window (${r.windowSeconds} s) is shorter than the shared read's TTL, so the first syncs' reads served it: the hourly figures mean nothing here; see a full run.`,
    );
  }
  verdicts.push({
    target: `peak RSS < ${GUARD.peakRssMb} MB at 1,000 Environments`,
    measured: `peak ${fixed(r.peakRssMb, 0)} MB at ${environments} Environments (retained heap ${fixed(r.retainedHeapMb, 0)} MB)`,
    met: environments >= 1000 ? r.peakRssMb < GUARD.peakRssMb : undefined,
  });
  if (r.errors > 0) failures.push(`${r.errors} failed syncs in the scale run`);
  if (r.writes > 0) failures.push('writes in the scale window (steady state)');
  return notes;
}

function flagList(flags: string[]): string {
  return flags.length ? flags.map((f) => `\`${f}\``).join(' ') : 'no flags';
}

function defaultTtlSeconds(): string {
  return fixed(loadConfig({}).ledgerCacheTtlMs / 1000, 0);
}

function p50p95(samples: number[]): string {
  return `${fixed(percentile(samples, 50), 1)} / ${fixed(percentile(samples, 95), 1)}`;
}

function sortSizes<T extends Size>(rows: T[]): void {
  rows.sort((a, b) => a.environments - b.environments || a.history - b.history);
}
