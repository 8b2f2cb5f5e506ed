/** Runner settings from command-line flags, falling back to environment variables. */
import { parseArgs } from 'node:util';
import type { BackoffPolicy } from '../kube/backoff.js';

export class OptionsError extends Error {
  override name = 'OptionsError';
}

export interface RunnerOptions {
  manifestPath: string;
  kubeconfigPath?: string;
  hookBaseUrl?: string;
  workers: number;
  backoff: BackoffPolicy;
  logLevel: string;
}

export const USAGE = `Usage: node dist/runner/main.js [flags]

Drives the CompositeController's hooks the way Metacontroller does, without Metacontroller.

  --manifest PATH         CompositeController manifest   (RUNNER_MANIFEST; default manifests/controller/compositecontroller.yaml)
  --kubeconfig PATH       kubeconfig to use             (KUBECONFIG, else ~/.kube/config, else in-cluster)
  --hook-base-url URL     replace scheme/host/port of the manifest's hook URLs (RUNNER_HOOK_BASE_URL)
  --workers N             parents synced in parallel    (RUNNER_WORKERS; default 5)
  --backoff-base-ms MS    first retry delay after a failed sync (RUNNER_BACKOFF_BASE_MS; default 500)
  --backoff-max-ms MS     longest retry delay           (RUNNER_BACKOFF_MAX_MS; default 300000)
  --log-level LEVEL       fatal|error|warn|info|debug|trace|silent (LOG_LEVEL; default info)
  --help`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** null when --help was asked for. */
export function parseRunnerOptions(argv: string[], env: Record<string, string | undefined>): RunnerOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        manifest: { type: 'string' },
        kubeconfig: { type: 'string' },
        'hook-base-url': { type: 'string' },
        workers: { type: 'string' },
        'backoff-base-ms': { type: 'string' },
        'backoff-max-ms': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new OptionsError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return null;
  const pick = (flag: string, variable: string): string | undefined => {
    const value = (values[flag] as string | undefined) ?? env[variable];
    return value === '' ? undefined : value;
  };
  const options: RunnerOptions = {
    manifestPath: pick('manifest', 'RUNNER_MANIFEST') ?? 'manifests/controller/compositecontroller.yaml',
    workers: integer(pick('workers', 'RUNNER_WORKERS'), '--workers', 5, 1, 64),
    backoff: {
      baseMs: integer(pick('backoff-base-ms', 'RUNNER_BACKOFF_BASE_MS'), '--backoff-base-ms', 500, 1, 3_600_000),
      maxMs: integer(pick('backoff-max-ms', 'RUNNER_BACKOFF_MAX_MS'), '--backoff-max-ms', 300_000, 1, 86_400_000),
    },
    logLevel: pick('log-level', 'LOG_LEVEL') ?? 'info',
  };
  if (options.backoff.maxMs < options.backoff.baseMs) throw new OptionsError('--backoff-max-ms must not be smaller than --backoff-base-ms');
  if (!LOG_LEVELS.includes(options.logLevel))
    throw new OptionsError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(options.logLevel)}`);
  const kubeconfig = values.kubeconfig as string | undefined;
  if (kubeconfig) options.kubeconfigPath = kubeconfig;
  const hookBaseUrl = pick('hook-base-url', 'RUNNER_HOOK_BASE_URL');
  if (hookBaseUrl !== undefined) options.hookBaseUrl = baseUrl(hookBaseUrl);
  return options;
}

function integer(raw: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new OptionsError(`${flag} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new OptionsError(`${flag} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function baseUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new OptionsError(`--hook-base-url must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new OptionsError(`--hook-base-url must use http or https, got ${parsed.protocol}`);
  if (parsed.search || parsed.hash) throw new OptionsError('--hook-base-url must not have a query or fragment');
  return raw.replace(/\/+$/, '');
}
