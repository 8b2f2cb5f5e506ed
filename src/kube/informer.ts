/**
 * One list+watch cache that keeps itself running: client-node's ListWatch relists on 410
 * Gone and rewatches when the server closes a watch, but stops on errors; this restarts it
 * with bounded exponential backoff until stopped.
 */
import type { KubernetesObject, ListWatch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffMs, type BackoffPolicy } from './backoff.js';
import type { KubeObject } from './types.js';

export type InformerEvent = 'add' | 'update' | 'delete';

const RESTART_POLICY: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

export class Informer {
  private failures = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private syncedOnce = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(
    private readonly watch: ListWatch<KubernetesObject>,
    private readonly description: string,
    private readonly logger: Logger,
    onEvent: (event: InformerEvent, object: KubeObject) => void,
  ) {
    for (const event of ['add', 'update', 'delete'] as const) watch.on(event, (o) => onEvent(event, o as unknown as KubeObject));
    watch.on('error', (error: unknown) => this.restartLater(error));
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Starts listing and watching; resolves once the first list has arrived or the informer is stopped. */
  start(): Promise<void> {
    const synced = new Promise<void>((resolve) => {
      if (this.syncedOnce) resolve();
      else this.syncWaiters.push(resolve);
    });
    void this.run();
    return synced;
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    let failed = false;
    const onError = () => {
      failed = true;
    };
    this.watch.on('error', onError);
    try {
      await this.watch.start();
    } catch (error) {
      failed = true;
      this.restartLater(error);
    } finally {
      this.watch.off('error', onError);
    }
    if (!failed && !this.stopped) {
      this.failures = 0;
      this.markSynced();
    }
  }

  private markSynced(): void {
    if (this.syncedOnce) return;
    this.syncedOnce = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private restartLater(error: unknown): void {
    if (this.stopped || this.restartTimer) return;
    this.failures++;
    const delay = backoffMs(this.failures, RESTART_POLICY);
    this.logger.warn({ watch: this.description, delayMs: delay, error: describe(error) }, 'watch failed; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.run();
    }, delay);
  }

  list(namespace?: string): KubeObject[] {
    return this.watch.list(namespace) as unknown as KubeObject[];
  }

  get(name: string, namespace?: string): KubeObject | undefined {
    return this.watch.get(name, namespace) as unknown as KubeObject | undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
    await this.watch.stop();
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'statusCode' in error) return `HTTP ${String(error.statusCode)}`;
  return String(error);
}
