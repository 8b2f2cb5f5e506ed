/**
 * A rolling restart of two replicas loses no hook call. Metacontroller's calls (the recorded
 * requests in examples/) are replayed over keep-alive connections through a stand-in for the
 * Service: a TCP proxy that, like kube-proxy, sends each new connection to a ready replica and
 * leaves established connections where they are. Each replica in turn is drained the way
 * src/main.ts does on SIGTERM and replaced by a new one. The drain is driven by events — the
 * readiness answer, the replica's last connection closing — never by a clock.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Client } from 'undici';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Shutdown } from '../../src/hooks/shutdown.js';
import { startDemoGitHub } from '../../tools/demo-github.js';
import type { GitHubEmulator } from '../../tools/github-emulator/index.js';
import { listenOnLoopback } from '../support/harness.js';

const RECORDED = (['sync-production.json', 'sync-staging-baked.json', 'customize-production.json'] as const).map((file) => ({
  path: `/${file.split('-')[0]}`,
  body: readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'),
}));
const WORKERS = 4;

interface Replica {
  name: string;
  app: FastifyInstance;
  shutdown: Shutdown;
  url: string;
  port: number;
}

let emulator: GitHubEmulator;
let replicaCount = 0;

async function startReplica(): Promise<Replica> {
  const shutdown = new Shutdown();
  const app = await buildApp({ ...loadConfig({}), githubApiUrl: emulator.url, ledgerCacheTtlMs: 0 }, { logger: createLogger('silent'), shutdown });
  const url = await listenOnLoopback(app);
  return { name: `replica-${++replicaCount}`, app, shutdown, url, port: Number(new URL(url).port) };
}

/** kube-proxy in miniature: new connections go round-robin to ready replicas; open ones stay. */
class ServiceProxy {
  private readonly server: Server;
  private ready: Replica[] = [];
  private next = 0;
  private readonly open = new Map<string, Set<Socket>>();
  private readonly emptied = new Map<string, () => void>();
  url = '';

  constructor() {
    this.server = createServer((client) => {
      const replica = this.ready[this.next++ % this.ready.length]!;
      const upstream = connect(replica.port, '127.0.0.1');
      const sockets = this.open.get(replica.name) ?? new Set<Socket>();
      this.open.set(replica.name, sockets);
      sockets.add(client);
      client.pipe(upstream).pipe(client);
      const closed = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        if (sockets.size === 0) this.emptied.get(replica.name)?.();
      };
      client.on('close', closed).on('error', closed);
      upstream.on('close', closed).on('error', closed);
    });
  }

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** The endpoints controller: a replica enters or leaves the Service's endpoints. */
  setReady(replicas: Replica[]): void {
    this.ready = replicas;
  }

  connectionsTo(replica: Replica): number {
    return this.open.get(replica.name)?.size ?? 0;
  }

  /** Resolves when no proxied connection to the replica is left open. */
  allClosed(replica: Replica): Promise<void> {
    if (this.connectionsTo(replica) === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.set(replica.name, resolve));
  }

  async close(): Promise<void> {
    for (const sockets of this.open.values()) for (const socket of sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Metacontroller's side: each worker keeps one keep-alive connection and calls the hooks back to back. */
class Caller {
  readonly failures: string[] = [];
  calls = 0;
  private stopping = false;
  private readonly waiters: { calls: number; resolve: () => void }[] = [];
  private workers: Promise<void>[] = [];

  constructor(private readonly url: string) {}

  start(): void {
    this.workers = Array.from({ length: WORKERS }, (_, worker) => this.work(worker));
  }

  private async work(worker: number): Promise<void> {
    const client = new Client(this.url, { keepAliveTimeout: 90_000 });
    for (let i = worker; !this.stopping; i++) {
      const { path, body } = RECORDED[i % RECORDED.length]!;
      try {
        const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
        const text = await res.body.text();
        if (res.statusCode !== 200) this.failures.push(`${path}: ${res.statusCode} ${text.slice(0, 200)}`);
      } catch (error) {
        this.failures.push(`${path}: ${(error as Error).message}`);
      }
      this.calls++;
      for (const waiter of [...this.waiters])
        if (this.calls >= waiter.calls) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
    }
    await client.close();
  }

  /** Resolves once `more` further calls have been answered (or failed). */
  after(more: number): Promise<void> {
    const calls = this.calls + more;
    return new Promise((resolve) => this.waiters.push({ calls, resolve }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }
}

/** A call already on its way to the replica: headers and half the body sent. */
function halfSentCall(replica: Replica): { finish(): Promise<string> } {
  const { path, body } = RECORDED[0]!;
  const socket = connect(replica.port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = once(socket, 'close');
  const bytes = Buffer.from(body);
  socket.write(`POST ${path} HTTP/1.1\r\nHost: environment-sync\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`);
  socket.write(bytes.subarray(0, bytes.length / 2));
  return {
    async finish() {
      socket.write(bytes.subarray(bytes.length / 2));
      await closed;
      return Buffer.concat(received).toString('utf8');
    },
  };
}

let proxy: ServiceProxy;
let caller: Caller;

beforeAll(async () => {
  ({ emulator } = await startDemoGitHub());
});
afterAll(async () => {
  await emulator.close();
});

test('replaying Metacontroller over keep-alive through a restart of each of two replicas: no failed call', async () => {
  let replicas = [await startReplica(), await startReplica()];
  proxy = new ServiceProxy();
  await proxy.start();
  proxy.setReady(replicas);
  caller = new Caller(proxy.url);
  caller.start();
  try {
    await caller.after(2 * WORKERS * RECORDED.length);

    for (const index of [0, 1]) {
      const old = replicas[index]!;
      const other = replicas[1 - index]!;
      const inFlight = halfSentCall(old);

      // SIGTERM: the drain ends when the test says (main.ts: DRAIN_SECONDS, or a second SIGTERM).
      let endDrain!: () => void;
      const drainEnd = new Promise<void>((resolve) => (endDrain = resolve));
      const stopped = old.shutdown.drain(drainEnd, () => old.app.close());

      // Readiness fails first; the endpoints controller then takes the replica out of the Service.
      const readyz = await fetch(`${old.url}/readyz`);
      expect(readyz.status).toBe(503);
      await readyz.body?.cancel();
      proxy.setReady([other]);

      // The call in flight is answered, and told to close its connection.
      const answer = await caller.after(WORKERS).then(() => inFlight.finish());
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      expect(answer.toLowerCase()).toContain('\r\nconnection: close\r\n');

      // Each keep-alive connection to the old replica gets its answer and closes; the callers reconnect to the other one.
      await proxy.allClosed(old);
      endDrain();
      await stopped;

      const replacement = await startReplica();
      replicas = index === 0 ? [replacement, other] : [other, replacement];
      proxy.setReady(replicas);
      await caller.after(2 * WORKERS * RECORDED.length);
    }
    // The last restart sent every connection to the first replacement.
    expect(proxy.connectionsTo(replicas[0]!)).toBe(WORKERS);
  } finally {
    await caller.stop();
    await proxy.close();
    for (const replica of replicas) await replica.app.close();
  }
  expect(caller.failures).toEqual([]);
  expect(caller.calls).toBeGreaterThanOrEqual(7 * WORKERS * RECORDED.length);
}, 120_000);
