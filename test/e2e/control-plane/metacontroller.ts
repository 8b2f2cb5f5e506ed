/**
 * The real Metacontroller (v4.12.0, built by provision-metacontroller.sh) for the end-to-end
 * suite: run out of cluster against one of our control planes, with the CompositeController of
 * manifests/controller/ whose webhooks point at a URL on loopback instead of the in-cluster
 * Service.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../../scripts/generate-crd.js';
import { freePort, type Cluster } from './cluster.js';

const execFileAsync = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

export const METACONTROLLER_VERSION = '4.12.0';
/** Where Metacontroller runs (its ServiceAccount's namespace, as its release manifests install it). */
export const METACONTROLLER_NAMESPACE = 'metacontroller';

let provisioned: Promise<string> | undefined;

/**
 * Builds Metacontroller once (provision-metacontroller.sh, cached) and returns the directory
 * holding the binary and its CRDs. Without a cached build, a source bundle
 * (METACONTROLLER_SRC_BUNDLE) or network, this rejects with the script's explanation.
 */
export function ensureMetacontroller(): Promise<string> {
  provisioned ??= (async () => {
    try {
      const { stdout } = await execFileAsync('bash', [join(HERE, 'provision-metacontroller.sh')], {
        maxBuffer: 64 * 1024 * 1024,
        timeout: 30 * 60 * 1000,
      });
      return stdout.trim().split('\n').at(-1)!;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`Metacontroller v${METACONTROLLER_VERSION} is not available (docs/e2e.md):\n${stderr.trim().split('\n').slice(-6).join('\n')}`);
    }
  })();
  return provisioned;
}

interface Hook {
  version?: string;
  webhook: { service?: unknown; path?: string; url?: string; timeout?: string };
}

/**
 * manifests/controller/compositecontroller.yaml with each hook's webhook turned into a `url:`
 * on `baseUrl` (same path, same timeout); everything else as the manifest has it.
 */
export async function compositeControllerFor(baseUrl: string): Promise<Record<string, any>> {
  const manifest = parse(await readFile(join(REPO_ROOT, 'manifests', 'controller', 'compositecontroller.yaml'), 'utf8')) as Record<string, any>;
  const hooks = manifest.spec.hooks as Record<string, Hook>;
  for (const hook of Object.values(hooks)) {
    const { service: _service, path, ...rest } = hook.webhook;
    hook.webhook = { ...rest, url: `${baseUrl}${path}` };
  }
  return manifest;
}

/**
 * Gives Metacontroller the ServiceAccount its release manifests create and only the ClusterRole
 * of manifests/components/metacontroller-rbac/, and returns a kubeconfig for it.
 */
export async function metacontrollerKubeconfig(cluster: Cluster): Promise<string> {
  await cluster.kubectl(['create', 'namespace', METACONTROLLER_NAMESPACE]);
  await cluster.kubectl(['create', 'serviceaccount', 'metacontroller', '-n', METACONTROLLER_NAMESPACE]);
  await cluster.kubectl(['apply', '-f', join(REPO_ROOT, 'manifests', 'components', 'metacontroller-rbac', 'clusterrole.yaml')]);
  return cluster.tokenKubeconfig(METACONTROLLER_NAMESPACE, 'metacontroller');
}

/** Metacontroller's CRDs (of the version that runs) and the CompositeController pointing at `baseUrl`. */
export async function installMetacontrollerResources(cluster: Cluster, baseUrl: string): Promise<void> {
  const dir = await ensureMetacontroller();
  await cluster.kubectl(['apply', '-f', join(dir, 'metacontroller-crds-v1.yaml')]);
  await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/compositecontrollers.metacontroller.k8s.io']);
  await cluster.kubectl(['apply', '-f', '-'], stringify(await compositeControllerFor(baseUrl)));
}

export interface RunningMetacontroller {
  /** Its log file (console encoding, verbosity 4). */
  log: string;
  /** How many times it was started. */
  starts: number;
  /** Kills it at once (SIGKILL), as a node failure or an OOM kill would. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts Metacontroller out of cluster with `kubeconfig`; start it after the parent CRD is Established. */
export async function startMetacontroller(cluster: Cluster, kubeconfig: string): Promise<RunningMetacontroller> {
  const binary = join(await ensureMetacontroller(), 'metacontroller');
  const log = join(cluster.dir, 'metacontroller.log');
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const handle: RunningMetacontroller = {
    log,
    starts: 0,
    async start() {
      const [metrics, health] = [await freePort(), await freePort()];
      const out = createWriteStream(log, { flags: 'a' });
      const started = spawn(
        binary,
        [
          `--kubeconfig=${kubeconfig}`,
          `--metrics-address=127.0.0.1:${metrics}`,
          `--health-probe-bind-address=127.0.0.1:${health}`,
          '--pprof-address=0',
          '--discovery-interval=5s',
          '--zap-log-level=4',
          '--zap-encoder=console',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      running.add(started);
      started.stdout.pipe(out);
      started.stderr.pipe(out);
      exited = new Promise((resolve) => started.once('exit', resolve));
      void exited.then(() => running.delete(started));
      child = started;
      handle.starts++;
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (started.exitCode !== null) throw new Error(`metacontroller exited (${started.exitCode}); log: ${log}`);
        try {
          if ((await fetch(`http://127.0.0.1:${health}/readyz`)).ok) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`metacontroller not ready after 60 s; log: ${log}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await handle.start();
  return handle;
}
