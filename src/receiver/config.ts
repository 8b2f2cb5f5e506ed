/** The receiver's settings, from environment variables (separate from the hook service's src/config.ts). */
import { readFileSync } from 'node:fs';

export interface ReceiverConfig {
  host: string;
  /** The webhook listener GitHub delivers to (through the Ingress). */
  port: number;
  /** /metrics, /healthz and /readyz: kept off the listener the Ingress exposes. */
  metricsPort: number;
  /** Namespaces whose Environments may be nudged; empty: all. */
  namespaces: string[];
  bodyLimitBytes: number;
  /** Deliveries for one Environment within this window make one patch. */
  coalesceMs: number;
  /** How many delivery ids are remembered to drop redeliveries. */
  dedupSize: number;
  logLevel: string;
  /** Where the accepted secrets come from (two at once during a rotation). */
  secrets: SecretSource;
}

export class ReceiverConfigError extends Error {
  override name = 'ReceiverConfigError';
}

export interface SecretSource {
  /** The secrets accepted now (re-read from files at most every `refreshMs`). */
  current(): Buffer[];
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadReceiverConfig(env: NodeJS.ProcessEnv, now: () => number = Date.now): ReceiverConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw.trim())) throw new ReceiverConfigError(`${name} must be a whole number, not ${JSON.stringify(raw)}`);
    const value = Number(raw.trim());
    if (value < min || value > max) throw new ReceiverConfigError(`${name} must be between ${min} and ${max}`);
    return value;
  };
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ReceiverConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const port = int('RECEIVER_PORT', 8090, 0, 65535);
  const metricsPort = int('RECEIVER_METRICS_PORT', 9090, 0, 65535);
  if (port !== 0 && port === metricsPort) throw new ReceiverConfigError('RECEIVER_PORT and RECEIVER_METRICS_PORT must differ');
  return {
    host: env.RECEIVER_HOST || '0.0.0.0',
    port,
    metricsPort,
    namespaces: (env.RECEIVER_NAMESPACES ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
    bodyLimitBytes: int('RECEIVER_BODY_LIMIT_BYTES', 1_048_576, 1024, 26_214_400),
    coalesceMs: int('RECEIVER_COALESCE_MS', 250, 0, 60_000),
    dedupSize: int('RECEIVER_DEDUP_SIZE', 10_000, 1, 1_000_000),
    logLevel,
    secrets: secretSource(env, now),
  };
}

/**
 * WEBHOOK_SECRET and WEBHOOK_SECRET_PREVIOUS (from a Secret by secretKeyRef), or
 * WEBHOOK_SECRET_FILE and WEBHOOK_SECRET_PREVIOUS_FILE (a mounted Secret, which the kubelet
 * updates in place: re-read every 30 s, so a rotation needs no restart). At least one is required.
 */
function secretSource(env: NodeJS.ProcessEnv, now: () => number): SecretSource {
  const files = [env.WEBHOOK_SECRET_FILE, env.WEBHOOK_SECRET_PREVIOUS_FILE].filter((f): f is string => !!f);
  const values = [env.WEBHOOK_SECRET, env.WEBHOOK_SECRET_PREVIOUS].filter((v): v is string => !!v).map((v) => Buffer.from(v, 'utf8'));
  if (files.length === 0 && values.length === 0) {
    throw new ReceiverConfigError('a webhook secret is required: WEBHOOK_SECRET or WEBHOOK_SECRET_FILE');
  }
  if (files.length === 0) return { current: () => values };
  const read = (): Buffer[] => {
    const found: Buffer[] = [...values];
    for (const file of files) {
      try {
        const content = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        if (content) found.push(Buffer.from(content, 'utf8'));
      } catch {
        // A missing previous secret is normal outside a rotation.
      }
    }
    return found;
  };
  let cached = read();
  if (cached.length === 0) throw new ReceiverConfigError(`no webhook secret could be read from ${files.join(', ')}`);
  let readAt = now();
  return {
    current: () => {
      if (now() - readAt >= 30_000) {
        const fresh = read();
        if (fresh.length > 0) cached = fresh;
        readAt = now();
      }
      return cached;
    },
  };
}
