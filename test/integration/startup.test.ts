/**
 * The entry point (src/main.ts under tsx) as an operator meets it: every start-up failure is
 * one JSON log line and a non-zero exit, accepted-but-suspect settings are warned about, and
 * SIGTERM drains (readiness fails first) until the drain period ends — here a second SIGTERM
 * ends it, so the test waits on signals and log lines, never on a clock.
 */
import { jest } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { REPO_ROOT } from '../../scripts/generate-crd.js';
import { startupFailure } from '../../src/main.js';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

// Each test starts the service under tsx: seconds on a busy machine.
jest.setTimeout(60_000);

const FATAL = 60;
const WARN = 40;

class Service {
  readonly lines: LogLine[] = [];
  stderr = '';
  private readonly waiters: { test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const part of parts) this.add(JSON.parse(part) as LogLine);
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = once(child, 'close').then(([code]) => code as number | null);
  }

  private add(line: LogLine): void {
    this.lines.push(line);
    for (const waiter of [...this.waiters])
      if (waiter.test(line)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
  }

  /** The first log line with this message, now or when it comes. */
  line(msg: string): Promise<LogLine> {
    const seen = this.lines.find((line) => line.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test: (line) => line.msg === msg, resolve }));
  }
}

function startService(env: Record<string, string>): Service {
  return new Service(
    spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', GITHUB_API_URL: 'http://127.0.0.1:9', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
}

const essentials = (line: LogLine) => ({ level: line.level, msg: line.msg });

describe('start-up failures: one log line, a non-zero exit, no stack trace', () => {
  test('an invalid variable', async () => {
    const service = startService({ PORT: 'eighty' });
    expect(await service.exited).toBe(2);
    expect(service.lines.map(essentials)).toEqual([{ level: FATAL, msg: 'invalid configuration: PORT must be a whole number, got "eighty"' }]);
    expect(service.stderr).toBe('');
  });

  describe('a port already in use', () => {
    let taken: Server;
    beforeAll(async () => {
      taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
    });
    afterAll(() => taken.close());

    test('names the address and the variable', async () => {
      const port = (taken.address() as { port: number }).port;
      const service = startService({ PORT: String(port) });
      expect(await service.exited).toBe(1);
      const lines = service.lines.filter((line) => !line.msg.startsWith('Server listening'));
      expect(lines.map(essentials)).toEqual([
        { level: FATAL, msg: `cannot listen on 127.0.0.1:${port}: the address is already in use (PORT=${port}, HOST=127.0.0.1)` },
      ]);
      expect(JSON.stringify(service.lines)).not.toContain('    at ');
      expect(service.stderr).toBe('');
    });
  });

  test.each([
    [
      { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'no-such-host' },
      'no-such-host',
      8080,
      'PORT',
      'cannot listen on no-such-host:8080: HOST=no-such-host does not resolve to an address (ENOTFOUND)',
    ],
    [{ code: 'EADDRINUSE' }, '0.0.0.0', 9090, 'METRICS_PORT', 'cannot listen on 0.0.0.0:9090: the address is already in use (METRICS_PORT=9090, HOST=0.0.0.0)'],
    [{ code: 'EADDRNOTAVAIL' }, '10.1.2.3', 8080, 'PORT', 'cannot listen on 10.1.2.3:8080: HOST=10.1.2.3 is not an address of this machine'],
    [{ code: 'EACCES' }, '0.0.0.0', 80, 'PORT', 'cannot listen on 0.0.0.0:80: permission denied (PORT=80 needs privileges below 1024)'],
  ])('%j: one line naming what to change', (error, host, port, variable, message) => {
    expect(startupFailure(Object.assign(new Error('raw'), error), port, host, variable)).toBe(message);
  });
});

describe('a running service', () => {
  let service: Service;
  afterEach(() => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
  });

  test('warns at start about settings it accepts but that cannot be meant', async () => {
    service = startService({ KEEP_ALIVE_TIMEOUT_MS: '60000', GITHUB_TOKEN: 'ghp_not-used' });
    await service.line('environment-sync is serving Metacontroller hooks');
    expect(service.lines.filter((line) => line.level === WARN).map(essentials)).toEqual([
      {
        level: WARN,
        msg: "KEEP_ALIVE_TIMEOUT_MS=60000 is not above the 90 s Metacontroller's Go client reuses idle connections: a hook call can meet a connection being closed",
      },
      { level: WARN, msg: 'GITHUB_TOKEN is ignored: each Environment takes its GitHub credential from its Secret (spec.backend.secret)' },
    ]);
    expect(JSON.stringify(service.lines)).not.toContain('ghp_not-used');
  });

  test('SIGTERM: readiness fails at once, answers close their connection, the process exits 0 when the drain ends', async () => {
    service = startService({ DRAIN_SECONDS: '300' });
    const serving = await service.line('environment-sync is serving Metacontroller hooks');
    const url = serving.address as string;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${serving.metricsAddress as string}/metrics`)).status).toBe(200);

    service.child.kill('SIGTERM');
    expect(essentials(await service.line('draining: /readyz fails, answers close their connections'))).toEqual({
      level: 30,
      msg: 'draining: /readyz fails, answers close their connections',
    });
    const readyz = await fetch(`${url}/readyz`);
    expect([readyz.status, readyz.headers.get('connection'), await readyz.json()]).toEqual([
      503,
      'close',
      { error: 'NotReady', message: 'Shutting down: finishing the calls in progress', details: [] },
    ]);
    // Still answering during the drain: the hooks and the liveness probe.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    service.child.kill('SIGTERM'); // the end of the drain period, early
    expect(await service.exited).toBe(0);
    expect(service.lines.at(-1)!.msg).toBe('stopped');
    expect(service.stderr).toBe('');
  });
});
