/**
 * The reconcile loop: what Metacontroller's CompositeController does for one controller.
 * Watches parents, children and the related objects /customize asks for; for each parent
 * that changed: finalizer, hook call, child writes, status write.
 */
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../kube/backoff.js';
import { ChildrenError, planChildren } from './children.js';
import { EventLimiter, syncErrorEvent } from './events.js';
import { callHook, HookTooManyRequestsError } from './hook-client.js';
import { buildObjectMap, customizeRequest, groupKey, objectKey, parseCustomizeResponse, parseSyncResponse, syncRequest } from './hook-protocol.js';
import { describe as describeError, Informer, type InformerEvent } from '../kube/informer.js';
import type { KubeApi, ResourceInfo } from '../kube/api.js';
import { applyChild, setFinalizer, writeStatus } from './kube-writes.js';
import {
  desiredStatus,
  finalizerChange,
  finalizerName,
  finalizersWith,
  hasFinalizer,
  isDeleting,
  parentChangeNeedsSync,
  shouldManageChildren,
} from './parent-state.js';
import { RelatedNotSyncedError, RelatedWatches } from './related-watches.js';
import { childOwnerUid, childScope, claimsChild } from './selection.js';
import { withTimeout } from './timeout.js';
import type { ChildRule, ControllerSettings, KubeObject, ObjectMap, UpdateMethod } from './types.js';
import { WorkQueue } from './work-queue.js';

const EVENTS: ResourceInfo = { apiVersion: 'v1', resource: 'events', kind: 'Event', namespaced: true };

export interface ControllerOptions {
  api: KubeApi;
  settings: ControllerSettings;
  logger: Logger;
  workers: number;
  backoff: BackoffPolicy;
  startTimeoutMs: number;
}

export class CompositeRunner {
  private readonly api: KubeApi;
  private readonly settings: ControllerSettings;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly finalizer: string;
  private readonly related: RelatedWatches;
  private parentInfo!: ResourceInfo;
  private parents: Informer | undefined;
  private readonly children: { rule: ChildRule; info: ResourceInfo; informer: Informer }[] = [];
  private readonly childMethods = new Map<string, UpdateMethod>();
  private readonly keyByUid = new Map<string, string>();
  private readonly lastSeen = new Map<string, KubeObject>();
  private readonly eventLimiter = new EventLimiter();
  private workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ControllerOptions) {
    this.api = options.api;
    this.settings = options.settings;
    this.logger = options.logger;
    this.queue = new WorkQueue(options.backoff);
    this.finalizer = finalizerName(options.settings.name);
    this.related = new RelatedWatches(this.api, this.logger, (keys) => keys.forEach((key) => this.queue.add(key)));
  }

  async start(): Promise<void> {
    this.parentInfo = await this.api.resourceInfo(this.settings.parent);
    const parents = new Informer(
      this.api.listWatch(this.parentInfo, { ...this.settings.parent, namespace: '', fieldSelector: '', labelSelector: '' }),
      this.settings.parent.resource,
      this.logger,
      (event, parent) => this.onParent(event, parent),
    );
    this.parents = parents;
    for (const rule of this.settings.children) {
      const info = await this.api.resourceInfo(rule);
      const informer = new Informer(this.api.listWatch(info, childScope(rule)), rule.resource, this.logger, (_event, child) => this.onChild(child));
      this.children.push({ rule, info, informer });
      this.childMethods.set(groupKey(info.kind, info.apiVersion), rule.updateMethod);
    }
    const informers = [parents, ...this.children.map((c) => c.informer)];
    await withTimeout(Promise.all(informers.map((i) => i.start())), this.options.startTimeoutMs, 'listing parents and children');
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
    if (this.settings.resyncPeriodSeconds) {
      this.resyncTimer = setInterval(() => {
        for (const parent of parents.list()) this.queue.add(objectKey(parent));
      }, this.settings.resyncPeriodSeconds * 1000);
    }
    this.logger.info(
      { parentResource: `${this.settings.parent.resource}.${this.settings.parent.apiVersion}`, workers: this.options.workers },
      'runner started',
    );
  }

  /** Stops taking work, waits (bounded) for syncs in progress, stops every watch. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.queue.shutdown();
    await withTimeout(Promise.all(this.workers), graceMs, 'finishing syncs in progress').catch((error: unknown) =>
      this.logger.warn({ error: describeError(error) }, 'stopping without waiting'),
    );
    const informers = [...(this.parents ? [this.parents] : []), ...this.children.map((c) => c.informer)];
    await Promise.all([...informers.map((i) => i.stop()), this.related.stop()]);
    this.logger.info('runner stopped');
  }

  private onParent(event: InformerEvent, parent: KubeObject): void {
    const key = objectKey(parent);
    if (event === 'delete') {
      if (parent.metadata.uid) this.keyByUid.delete(parent.metadata.uid);
      this.lastSeen.delete(key);
      this.queue.add(key);
      return;
    }
    if (parent.metadata.uid) this.keyByUid.set(parent.metadata.uid, key);
    const previous = this.lastSeen.get(key);
    this.lastSeen.set(key, parent);
    if (parentChangeNeedsSync(previous, parent, this.settings.parent.ignoreStatusChanges)) this.queue.add(key);
  }

  private onChild(child: KubeObject): void {
    const uid = childOwnerUid(child);
    const key = uid === undefined ? undefined : this.keyByUid.get(uid);
    if (key) this.queue.add(key);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === null) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (error) {
        if (error instanceof HookTooManyRequestsError) this.queue.addAfter(key, error.retryAfterMs);
        else {
          const retryInMs = this.queue.addRateLimited(key);
          this.logger.warn({ parent: key, error: describeError(error), failures: this.queue.failureCount(key), retryInMs }, 'sync failed');
          if (!(error instanceof RelatedNotSyncedError)) this.recordSyncError(key, describeError(error));
        }
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async sync(key: string): Promise<void> {
    let parent = this.cachedParent(key);
    if (!parent) {
      this.related.release(key);
      this.eventLimiter.forget(key);
      return;
    }
    const finalizeHook = this.settings.hooks.finalize;
    const change = finalizerChange(parent, this.finalizer, finalizeHook !== undefined);
    if (change !== null) {
      const updated = await setFinalizer(this.api, this.parentInfo, parent, this.finalizer, change);
      if (!updated) return;
      parent = updated;
    }
    const finalizing = finalizeHook !== undefined && isDeleting(parent);

    const related = await this.relatedObjects(key, parent);
    const owner = parent;
    const observed = this.children.flatMap((c) => c.informer.list(owner.metadata.namespace).filter((o) => claimsChild(owner, o)));
    const request = syncRequest({
      controller: this.settings.object,
      parent,
      children: buildObjectMap(
        this.children.map((c) => c.info),
        observed,
      ),
      related,
      finalizing,
    });
    const hook = finalizing ? finalizeHook : this.settings.hooks.sync;
    const result = parseSyncResponse(await callHook(hook, request));
    this.logger.debug(
      { parent: key, finalizing, children: result.children.length, resyncAfterSeconds: result.resyncAfterSeconds, finalized: result.finalized },
      'hook answered',
    );

    if (result.resyncAfterSeconds !== undefined && result.resyncAfterSeconds > 0) this.queue.addAfter(key, result.resyncAfterSeconds * 1000);
    if (result.finalized && hasFinalizer(parent, this.finalizer)) {
      await setFinalizer(this.api, this.parentInfo, parent, this.finalizer, false);
      parent = { ...parent, metadata: { ...parent.metadata, finalizers: finalizersWith(parent, this.finalizer, false) ?? [] } };
      this.logger.info({ parent: key }, 'finalized; finalizer removed');
    }

    let childError: unknown;
    if (shouldManageChildren(parent, this.finalizer)) {
      try {
        await this.applyChildren(parent, observed, result.children);
      } catch (error) {
        childError = error;
      }
    }
    // As in Metacontroller, the status is written even when child writes failed.
    if (!(await writeStatus(this.api, this.parentInfo, parent, desiredStatus(result.status, parent.metadata.generation)))) {
      this.logger.debug({ parent: key }, 'status write kept conflicting; the next sync retries');
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a child write threw, unchanged
    if (childError) throw childError;
  }

  private async relatedObjects(key: string, parent: KubeObject): Promise<ObjectMap> {
    const customize = this.settings.hooks.customize;
    // Without a customize hook Metacontroller sends `related: {}`.
    if (!customize) return {};
    return this.related.objectsFor(key, parent, async () => parseCustomizeResponse(await callHook(customize, customizeRequest(this.settings.object, parent))));
  }

  private async applyChildren(parent: KubeObject, observed: KubeObject[], desired: KubeObject[]): Promise<void> {
    const writes = planChildren(parent, observed, desired, this.childMethods);
    const failures: string[] = [];
    for (const write of writes) {
      const info = this.children.find((c) => c.info.kind === write.object.kind && c.info.apiVersion === write.object.apiVersion)!.info;
      try {
        await applyChild(this.api, info, write);
        this.logger.info(
          { parent: objectKey(parent), action: write.action, kind: write.object.kind, child: objectKey(write.object) },
          `child ${write.action}d`,
        );
      } catch (error) {
        failures.push(`${write.action} ${write.object.kind} ${objectKey(write.object)}: ${describeError(error)}`);
      }
    }
    if (failures.length > 0) throw new ChildrenError(failures.join('; '));
  }

  /** A Warning Event on the parent, rate-limited; failing to record it only costs a debug line. */
  private recordSyncError(key: string, message: string): void {
    const parent = this.cachedParent(key);
    if (!parent || !this.eventLimiter.allow(key, Date.now())) return;
    this.api.create(EVENTS, syncErrorEvent(parent, message, new Date())).catch((error: unknown) => {
      this.logger.debug({ parent: key, error: describeError(error) }, 'could not record the SyncError event');
    });
  }

  private cachedParent(key: string): KubeObject | undefined {
    const slash = key.indexOf('/');
    return slash < 0 ? this.parents?.get(key) : this.parents?.get(key.slice(slash + 1), key.slice(0, slash));
  }
}
