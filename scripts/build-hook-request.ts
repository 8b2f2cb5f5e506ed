/**
 * Builds the hook request Metacontroller would send for one Environment, from a live
 * cluster (`kubectl get … -o json`), so it can be replayed with curl:
 *
 *   npx tsx scripts/build-hook-request.ts -n default my-app-production > /tmp/sync.json
 *   curl -s -H 'content-type: application/json' --data @/tmp/sync.json 'localhost:8080/sync?dryRun=true' | jq .
 *
 * Options: --hook sync|finalize|customize (default sync; finalize when the Environment
 * is being deleted), -n/--namespace (default: kubectl's current namespace), --context,
 * --dashboard-namespace NS (also send Ingresses there, like DASHBOARD_NAMESPACE;
 * --dashboard-route-kinds ingress,httproute like DASHBOARD_ROUTE_KINDS),
 * --include-secret (the Secret's values are replaced by "REDACTED" unless given).
 * KUBECTL overrides the kubectl binary.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

type Json = Record<string, unknown>;
interface KubeObject extends Json {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; deletionTimestamp?: string; ownerReferences?: { uid?: string; controller?: boolean }[] } & Json;
}

export type Hook = 'sync' | 'finalize' | 'customize';

export interface ClusterObjects {
  parent: KubeObject;
  rollout?: KubeObject;
  secret?: KubeObject;
  /** All Environments of the namespace, the parent included (Metacontroller sends it too). */
  environments: KubeObject[];
  /** RolloutGates of the namespace; only those the parent controls become children. */
  gates: KubeObject[];
  ingresses?: KubeObject[];
  httpRoutes?: KubeObject[];
  gateways?: KubeObject[];
}

export interface BuildOptions {
  hook: Hook;
  includeSecret: boolean;
  /** The CompositeController's name (the one in manifests/controller). */
  controllerName?: string;
}

export const REDACTED = 'REDACTED';
const DEFAULT_SECRET = 'github-token';

/** Pure: the request body, shaped as Metacontroller v2 sends it (maps keyed by Kind.apiVersion, then namespace/name). */
export function buildHookRequest(objects: ClusterObjects, options: BuildOptions): Json {
  const controller = {
    apiVersion: 'metacontroller.k8s.io/v1alpha1',
    kind: 'CompositeController',
    metadata: { name: options.controllerName ?? 'environment-sync' },
  };
  if (options.hook === 'customize') return { controller, parent: objects.parent };
  const uid = objects.parent.metadata.uid;
  const owned = objects.gates.filter((g) => uid !== undefined && (g.metadata.ownerReferences ?? []).some((o) => o.uid === uid && o.controller === true));
  const related: Record<string, Record<string, KubeObject>> = {
    'Rollout.kuberik.com/v1alpha1': byKey(objects.rollout ? [objects.rollout] : []),
    'Secret.v1': byKey(objects.secret ? [options.includeSecret ? objects.secret : redacted(objects.secret)] : []),
    'Environment.environments.kuberik.com/v1alpha1': byKey(objects.environments),
  };
  if (objects.ingresses) related['Ingress.networking.k8s.io/v1'] = byKey(objects.ingresses);
  if (objects.httpRoutes) related['HTTPRoute.gateway.networking.k8s.io/v1'] = byKey(objects.httpRoutes);
  if (objects.gateways) related['Gateway.gateway.networking.k8s.io/v1'] = byKey(objects.gateways);
  return {
    controller,
    parent: objects.parent,
    children: { 'RolloutGate.kuberik.com/v1alpha1': byKey(owned) },
    related,
    finalizing: options.hook === 'finalize',
  };
}

function byKey(objects: KubeObject[]): Record<string, KubeObject> {
  const sorted = [...objects].sort((a, b) => key(a).localeCompare(key(b)));
  return Object.fromEntries(sorted.map((o) => [key(o), o]));
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Keeps the keys (they choose token or GitHub App mode), never the values. */
function redacted(secret: KubeObject): KubeObject {
  const mask = (values: unknown, encode: boolean) =>
    values && typeof values === 'object'
      ? Object.fromEntries(Object.keys(values).map((k) => [k, encode ? Buffer.from(REDACTED).toString('base64') : REDACTED]))
      : undefined;
  const { data, stringData, ...rest } = secret as KubeObject & { data?: unknown; stringData?: unknown };
  const out: KubeObject = { ...rest };
  const maskedData = mask(data, true);
  const maskedString = mask(stringData, false);
  if (maskedData) out.data = maskedData;
  if (maskedString) out.stringData = maskedString;
  const annotations = (secret.metadata as { annotations?: Record<string, string> }).annotations;
  if (annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
    // kubectl apply keeps the whole Secret, values included, in this annotation.
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _dropped, ...kept } = annotations;
    out.metadata = { ...secret.metadata, annotations: kept };
  }
  return out;
}

// ---- the command -------------------------------------------------------------------------

export type Kubectl = (args: string[]) => Promise<string>;

interface Args {
  name: string;
  namespace?: string;
  context?: string;
  hook?: Hook;
  includeSecret: boolean;
  dashboardNamespace?: string;
  dashboardRouteKinds: ('ingress' | 'httproute')[];
}

export function parseArgs(argv: string[]): Args {
  const args: Partial<Args> & { includeSecret: boolean; dashboardRouteKinds: Args['dashboardRouteKinds'] } = {
    includeSecret: false,
    dashboardRouteKinds: ['ingress'],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '-n' || arg === '--namespace') args.namespace = value();
    else if (arg === '--context') args.context = value();
    else if (arg === '--dashboard-namespace') args.dashboardNamespace = value();
    else if (arg === '--dashboard-route-kinds') {
      const kinds = [
        ...new Set(
          value()
            .split(',')
            .map((k) => k.trim().toLowerCase())
            .filter(Boolean),
        ),
      ];
      for (const kind of kinds)
        if (kind !== 'ingress' && kind !== 'httproute') throw new UsageError(`--dashboard-route-kinds lists ingress and/or httproute, not ${kind}`);
      args.dashboardRouteKinds = kinds as Args['dashboardRouteKinds'];
    } else if (arg === '--include-secret') args.includeSecret = true;
    else if (arg === '--hook') {
      const hook = value();
      if (hook !== 'sync' && hook !== 'finalize' && hook !== 'customize') throw new UsageError(`--hook must be sync, finalize or customize, not ${hook}`);
      args.hook = hook;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (args.name === undefined) args.name = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (!args.name) throw new UsageError('name the Environment');
  return args as Args;
}

export class UsageError extends Error {}

const SYNOPSIS =
  'usage: build-hook-request [-n NAMESPACE] [--context CTX] [--hook sync|finalize|customize] [--include-secret] [--dashboard-namespace NS [--dashboard-route-kinds ingress,httproute]] ENVIRONMENT';

export const HELP = `${SYNOPSIS}

Prints the hook request Metacontroller would send for the Environment ENVIRONMENT, read from
the cluster with \`kubectl get -o json\`, to replay with curl (add ?dryRun=true to write nothing):

  npx tsx scripts/build-hook-request.ts -n default my-app-production > /tmp/sync.json
  curl -s -H 'content-type: application/json' --data @/tmp/sync.json 'localhost:8080/sync?dryRun=true'

  -n, --namespace NS          the Environment's namespace (default: kubectl's current one)
  --context CTX               the kubeconfig context
  --hook HOOK                 sync (default; finalize when the Environment is being deleted),
                              finalize or customize
  --include-secret            the Secret's values as they are (needed to reach GitHub; delete
                              the file afterwards); without it they read REDACTED
  --dashboard-namespace NS    also send the Ingresses there, like DASHBOARD_NAMESPACE
  --dashboard-route-kinds K   ingress, httproute or both, like DASHBOARD_ROUTE_KINDS
  -h, --help                  this text

KUBECTL overrides the kubectl binary.
`;

/** Reads the cluster through `kubectl` and returns the request as JSON text. */
export async function run(argv: string[], kubectl: Kubectl, warn: (message: string) => void = () => {}): Promise<string> {
  if (argv.includes('--help') || argv.includes('-h')) return HELP;
  const args = parseArgs(argv);
  const context = args.context ? ['--context', args.context] : [];
  const scope = [...context, ...(args.namespace ? ['-n', args.namespace] : [])];
  const get = async (what: string[]): Promise<Json> => JSON.parse(await kubectl(['get', ...what, ...scope, '-o', 'json'])) as Json;
  const getOptional = async (what: string[]): Promise<KubeObject | undefined> => {
    try {
      return (await get(what)) as KubeObject;
    } catch (error) {
      if (/NotFound|not found/.test(String((error as Error).message))) return undefined;
      throw error;
    }
  };
  const list = async (resource: string, namespace?: string): Promise<KubeObject[]> => {
    const where = namespace ? [...context, '-n', namespace] : scope;
    const body = JSON.parse(await kubectl(['get', resource, ...where, '-o', 'json'])) as { items?: KubeObject[] };
    return body.items ?? [];
  };

  const parent = (await get(['environments.environments.kuberik.com', args.name])) as KubeObject;
  const hook: Hook = args.hook ?? (parent.metadata.deletionTimestamp ? 'finalize' : 'sync');
  if (hook === 'customize') return `${JSON.stringify(buildHookRequest({ parent, environments: [], gates: [] }, { hook, includeSecret: false }), null, 2)}\n`;

  const spec = (parent.spec ?? {}) as { rolloutRef?: { name?: string }; backend?: { secret?: string } };
  const rollout = spec.rolloutRef?.name ? await getOptional(['rollouts.kuberik.com', spec.rolloutRef.name]) : undefined;
  const secretName = spec.backend?.secret || DEFAULT_SECRET;
  const secret = await getOptional(['secret', secretName]);
  if (!rollout) warn(`Rollout ${spec.rolloutRef?.name ?? '(none)'} not found: the request has none (RolloutNotFound)`);
  if (!secret) warn(`Secret ${secretName} not found: the request has none (SecretNotFound)`);
  else if (!args.includeSecret) warn(`Secret ${secretName}: values replaced by ${REDACTED}; pass --include-secret to replay against GitHub`);
  const objects: ClusterObjects = {
    parent,
    environments: withKind(await list('environments.environments.kuberik.com'), 'environments.kuberik.com/v1alpha1', 'Environment'),
    gates: withKind(await list('rolloutgates.kuberik.com'), 'kuberik.com/v1alpha1', 'RolloutGate'),
    ...(rollout ? { rollout } : {}),
    ...(secret ? { secret } : {}),
  };
  if (args.dashboardNamespace && args.dashboardRouteKinds.includes('ingress')) {
    objects.ingresses = withKind(await list('ingresses.networking.k8s.io', args.dashboardNamespace), 'networking.k8s.io/v1', 'Ingress');
  }
  if (args.dashboardNamespace && args.dashboardRouteKinds.includes('httproute')) {
    objects.httpRoutes = withKind(await list('httproutes.gateway.networking.k8s.io', args.dashboardNamespace), 'gateway.networking.k8s.io/v1', 'HTTPRoute');
    objects.gateways = withKind(await list('gateways.gateway.networking.k8s.io', args.dashboardNamespace), 'gateway.networking.k8s.io/v1', 'Gateway');
  }
  return `${JSON.stringify(buildHookRequest(objects, { hook, includeSecret: args.includeSecret }), null, 2)}\n`;
}

/** List items may lack apiVersion/kind; Metacontroller's objects always carry them. */
function withKind(items: KubeObject[], apiVersion: string, kind: string): KubeObject[] {
  return items.map((o) => ({ ...o, apiVersion: o.apiVersion || apiVersion, kind: o.kind || kind }));
}

const execFileAsync = promisify(execFile);

export const systemKubectl: Kubectl = async (args) => {
  try {
    const { stdout } = await execFileAsync(process.env.KUBECTL || 'kubectl', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(stderr || (error as Error).message);
  }
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(await run(process.argv.slice(2), systemKubectl, (m) => console.error(`build-hook-request: ${m}`)));
  } catch (error) {
    console.error(`build-hook-request: ${(error as Error).message}`);
    if (error instanceof UsageError) console.error(`${SYNOPSIS}\n(--help for the options)`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
