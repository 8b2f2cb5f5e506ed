/**
 * Real Kubernetes control planes on loopback, for the end-to-end suite: etcd, kube-apiserver and
 * kube-controller-manager (its garbage collector and service-account token controller matter
 * here). Binaries come from provision.sh, which builds them once and caches them.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { REFERENCE_CRDS_DIR } from '../../support/fixtures.js';

const execFileAsync = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

export interface Cluster {
  name: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Path of an admin kubeconfig (token auth, system:masters). */
  kubeconfig: string;
  /** Scratch directory: data, logs, keys and kubeconfigs of this cluster. */
  dir: string;
  /** Runs kubectl as admin; rejects with kubectl's stderr on a non-zero exit. */
  kubectl: (args: string[], input?: string) => Promise<string>;
  /** Path of a kubeconfig that authenticates as the service account (its token Secret). */
  tokenKubeconfig(namespace: string, serviceAccount: string): Promise<string>;
  stop(): Promise<void>;
}

let binDirPromise: Promise<string> | undefined;

/** Builds or finds the cached binaries (provision.sh prints their directory). */
export function ensureBinaries(): Promise<string> {
  binDirPromise ??= (async () => {
    if (process.env.E2E_BIN_DIR) return process.env.E2E_BIN_DIR;
    const { stdout } = await execFileAsync('bash', [join(HERE, 'provision.sh')], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 40 * 60 * 1000,
    });
    const lines = stdout.trim().split('\n');
    return lines[lines.length - 1]!;
  })();
  return binDirPromise;
}

const handedOut = new Set<number>();

/** A free loopback port, never the same one twice in this process (clusters start in parallel). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probeFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function probeFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
// A test run that dies must not leave API servers and etcds behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function startProcess(command: string, args: string[], logFile: string): Started {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

async function stopProcess(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 10_000);
  await started.exited;
  clearTimeout(timer);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, failed?: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const failure = failed?.();
    if (failure) throw new Error(`${what}: ${failure}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError instanceof Error ? String(lastError) : JSON.stringify(lastError)}` : ''}`,
  );
}

function kubeconfigFor(name: string, server: string, user: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name, context: { cluster: name, user, namespace } }],
    'current-context': name,
  });
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Starts etcd, kube-apiserver and kube-controller-manager on free loopback ports. */
export async function startCluster(name: string): Promise<Cluster> {
  const binDir = await ensureBinaries();
  const dir = await mkdtemp(join(tmpdir(), `envsync-e2e-${name}-`));
  const processes: Started[] = [];
  const stop = async (): Promise<void> => {
    for (const started of processes.reverse()) await stopProcess(started);
    if (!process.env.E2E_KEEP_DIRS) await rm(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdLog = join(dir, 'etcd.log');
    const etcd = startProcess(
      'etcd',
      [
        `--name=${name}`,
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=${name}=http://127.0.0.1:${etcdPeer}`,
        '--log-level=warn',
      ],
      etcdLog,
    );
    processes.push(etcd);
    await waitFor(
      `etcd of ${name}`,
      30_000,
      async () => ((await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok ? true : undefined),
      () => (etcd.child.exitCode !== null ? `exited; log:\n${etcdLog}` : undefined),
    );

    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const saKey = join(dir, 'sa.key');
    const saPub = join(dir, 'sa.pub');
    await writeFile(saKey, privateKey, { mode: 0o600 });
    await writeFile(saPub, publicKey);
    const adminToken = randomBytes(24).toString('hex');
    const controllerToken = randomBytes(24).toString('hex');
    const tokens = join(dir, 'tokens.csv');
    await writeFile(
      tokens,
      `${adminToken},e2e-admin,e2e-admin,"system:masters"\n` + `${controllerToken},system:kube-controller-manager,system:kube-controller-manager\n`,
      { mode: 0o600 },
    );
    const certDir = join(dir, 'pki');
    await mkdir(certDir);
    const server = `https://127.0.0.1:${apiPort}`;

    const apiLog = join(dir, 'kube-apiserver.log');
    const apiserver = startProcess(
      join(binDir, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--insecure-port=0',
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokens}`,
        '--authorization-mode=RBAC',
        '--anonymous-auth=false',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        '--api-audiences=https://kubernetes.default.svc',
        // Never routed: the API server only needs a range to allocate ClusterIPs from.
        '--service-cluster-ip-range=10.96.0.0/24',
        '--enable-priority-and-fairness=false',
        '--v=1',
      ],
      apiLog,
    );
    processes.push(apiserver);

    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(name, server, 'e2e-admin', adminToken), { mode: 0o600 });
    const kubectl = async (args: string[], input?: string): Promise<string> => {
      return new Promise((resolve, reject) => {
        const child = execFile(
          'kubectl',
          [`--kubeconfig=${kubeconfig}`, ...args],
          { maxBuffer: 32 * 1024 * 1024, timeout: 60_000 },
          (error, stdout, stderr) => {
            if (error) reject(new Error(`kubectl ${args.join(' ')} (${name}): ${stderr || error.message}`));
            else resolve(stdout);
          },
        );
        if (input !== undefined) child.stdin!.end(input);
      });
    };

    await waitFor(
      `kube-apiserver of ${name}`,
      90_000,
      async () => ((await kubectl(['get', '--raw=/readyz'])).trim() === 'ok' ? true : undefined),
      () => (apiserver.child.exitCode !== null ? `exited (${apiserver.child.exitCode})` : undefined),
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- kube-apiserver.log ---\n${await tail(apiLog)}`);
    });

    const controllerKubeconfig = join(dir, 'controller-manager.kubeconfig');
    await writeFile(controllerKubeconfig, kubeconfigFor(name, server, 'system:kube-controller-manager', controllerToken, 'kube-system'), { mode: 0o600 });
    const kcmLog = join(dir, 'kube-controller-manager.log');
    const controllerManager = startProcess(
      join(binDir, 'kube-controller-manager'),
      [
        `--kubeconfig=${controllerKubeconfig}`,
        `--authentication-kubeconfig=${controllerKubeconfig}`,
        `--authorization-kubeconfig=${controllerKubeconfig}`,
        '--leader-elect=false',
        '--port=0',
        '--secure-port=0',
        // Each controller acts as its own service account, with the bootstrap RBAC roles (as kubeadm does).
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${join(certDir, 'apiserver.crt')}`,
        // Only what the suite relies on: owner-based garbage collection and SA token Secrets.
        '--controllers=garbagecollector,serviceaccount-token,serviceaccount,namespace',
        '--concurrent-gc-syncs=5',
        '--v=1',
      ],
      kcmLog,
    );
    processes.push(controllerManager);
    await waitFor(
      `the default service account of ${name}`,
      60_000,
      async () => ((await kubectl(['get', 'serviceaccount', 'default', '-o', 'name'])).trim() ? true : undefined),
      () => (controllerManager.child.exitCode !== null ? `kube-controller-manager exited (${controllerManager.child.exitCode})` : undefined),
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- kube-controller-manager.log ---\n${await tail(kcmLog)}`);
    });

    const tokenKubeconfig = async (namespace: string, serviceAccount: string): Promise<string> => {
      const token = await waitFor(`a token Secret for ${namespace}/${serviceAccount}`, 60_000, async () => {
        const secretName = (await kubectl(['get', 'serviceaccount', serviceAccount, '-n', namespace, '-o', 'jsonpath={.secrets[0].name}'])).trim();
        if (!secretName) return undefined;
        const encoded = (await kubectl(['get', 'secret', secretName, '-n', namespace, '-o', 'jsonpath={.data.token}'])).trim();
        return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
      });
      const path = join(dir, `sa-${namespace}-${serviceAccount}.kubeconfig`);
      await writeFile(path, kubeconfigFor(name, server, `${namespace}:${serviceAccount}`, token, namespace), { mode: 0o600 });
      return path;
    };

    return { name, server, kubeconfig, dir, kubectl, tokenKubeconfig, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * kuberik's Rollout and RolloutGate CRDs, as a 1.20 API server accepts them: recent
 * controller-gen writes `default: ""` on LocalObjectReference.name, which 1.20 rejects.
 */
export async function kuberikCrdsFor120(): Promise<string> {
  const files = ['kuberik.com_rollouts.yaml', 'kuberik.com_rolloutgates.yaml'];
  const texts = await Promise.all(files.map((file) => readFile(join(REFERENCE_CRDS_DIR, file), 'utf8')));
  return texts
    .map((text) =>
      text
        .split('\n')
        .filter((line) => line.trim() !== 'default: ""')
        .join('\n'),
    )
    .join('\n---\n');
}

export async function loadKuberikCrds(cluster: Cluster): Promise<void> {
  const manifest = await kuberikCrdsFor120();
  await cluster.kubectl(['apply', '-f', '-'], manifest);
  const names = parseAllDocuments(manifest)
    .map((doc) => (doc.toJS() as { metadata?: { name?: string } } | null)?.metadata?.name)
    .filter((name): name is string => Boolean(name));
  await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...names.map((n) => `crd/${n}`)]);
}
