/**
 * The reconcile loop: what Metacontroller's CompositeController does for one controller.
 * Watches parents, children and the related objects /customize asks for; for each parent
 * that changed: finalizer, hook call, child writes, status write.
 */
import type { Logger } from 'pino';
import type { BackoffPolicy } from './backoff.js';
import { ChildrenError, planChildren, type ChildWrite } from './children.js';
import { EventLimiter, syncErrorEvent } from './events.js';
import { callHook, HookTooManyRequestsError } from './hook-client.js';
import { buildObjectMap, customizeRequest, groupKey, objectKey, parseCustomizeResponse, parseSyncResponse, syncRequest } from './hook-protocol.js';
import { describe as describeError, Informer, type InformerEvent } from './informer.js';
import { isAlreadyExists, isConflict, isNotFound, type KubeApi, type ResourceInfo } from './kube-api.js';
import {
  desiredStatus,
  finalizerChange,
  finalizerName,
  finalizersWith,
  hasFinalizer,
  isDeleting,
  parentChangeNeedsSync,
  shouldManageChildren,
  statusDiffers,
} from './parent-state.js';
import { childOwnerUid, childScope, claimsChild, ruleScope, ruleSelects, scopeKey } from './selection.js';
import type { ChildRule, ControllerSettings, KubeObject, RelatedResourceRule, UpdateMethod } from './types.js';
import { WorkQueue } from './work-queue.js';

/** Metacontroller caches a parent's /customize answer for 20 minutes per (uid, generation). */
const CUSTOMIZE_TTL_MS = 20 * 60_000;
/** Attempts of one GET-modify-PUT before giving up until the next sync. */
const WRITE_ATTEMPTS = 5;
const RELATED_SYNC_WAIT_MS = 10_000;
const EVENTS: ResourceInfo = { apiVersion: 'v1', resource: 'events', kind: 'Event', namespaced: true };

/** A related watch is still listing: retried like any failure, but not worth an Event. */
class RelatedNotSyncedError extends Error {
  override name = 'RelatedNotSyncedError';
}

export interface ControllerOptions {
  api: KubeApi;
  settings: ControllerSettings;
  logger: Logger;
  workers: number;
  backoff: BackoffPolicy;
  startTimeoutMs: number;
}

interface RelatedBinding {
  rule: RelatedResourceRule;
  info: ResourceInfo;
  scope: string;
}

interface CustomizedParent {
  uid: string;
  generation: number | undefined;
  expiresAt: number;
  bindings: RelatedBinding[];
}

interface SharedWatch {
  informer: Informer;
  ready: Promise<void>;
  users: Set<string>;
}

export class CompositeRunner {
  private readonly api: KubeApi;
  private readonly settings: ControllerSettings;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly finalizer: string;
  private parentInfo!: ResourceInfo;
  private parents!: Informer;
  private readonly children: { rule: ChildRule; info: ResourceInfo; informer: Informer }[] = [];
  private readonly childMethods = new Map<string, UpdateMethod>();
  private readonly relatedWatches = new Map<string, SharedWatch>();
  private readonly customized = new Map<string, CustomizedParent>();
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
  }

  async start(): Promise<void> {
    this.parentInfo = await this.api.resourceInfo(this.settings.parent);
    this.parents = new Informer(
      this.api.listWatch(this.parentInfo, { ...this.settings.parent, namespace: '', fieldSelector: '', labelSelector: '' }),
      this.settings.parent.resource,
      this.logger,
      (event, parent) => this.onParent(event, parent),
    );
    for (const rule of this.settings.children) {
      const info = await this.api.resourceInfo(rule);
      const informer = new Informer(this.api.listWatch(info, childScope(rule)), rule.resource, this.logger, (_event, child) => this.onChild(child));
      this.children.push({ rule, info, informer });
      this.childMethods.set(groupKey(info.kind, info.apiVersion), rule.updateMethod);
    }
    const informers = [this.parents, ...this.children.map((c) => c.informer)];
    await withTimeout(Promise.all(informers.map((i) => i.start())), this.options.startTimeoutMs, 'listing parents and children');
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
    if (this.settings.resyncPeriodSeconds) {
      this.resyncTimer = setInterval(() => {
        for (const parent of this.parents.list()) this.queue.add(parentKey(parent));
      }, this.settings.resyncPeriodSeconds * 1000);
    }
    this.logger.info({ parentResource: `${this.settings.parent.resource}.${this.settings.parent.apiVersion}`, workers: this.options.workers }, 'runner started');
  }

  /** Stops watching and waits (bounded) for syncs in progress. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.queue.shutdown();
    await withTimeout(Promise.all(this.workers), graceMs, 'finishing syncs in progress').catch((error: unknown) => this.logger.warn({ error: describeError(error) }, 'stopping without waiting'));
    const informers = [this.parents, ...this.children.map((c) => c.informer), ...[...this.relatedWatches.values()].map((w) => w.informer)];
    await Promise.all(informers.filter(Boolean).map((i) => i.stop()));
    this.relatedWatches.clear();
    this.logger.info('runner stopped');
  }

  private onParent(event: InformerEvent, parent: KubeObject): void {
    const key = parentKey(parent);
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

  private onRelated(scope: string, object: KubeObject): void {
    for (const [key, parent] of this.customized) {
      if (parent.bindings.some((b) => b.scope === scope && ruleSelects(b.rule, object))) this.queue.add(key);
    }
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
    const { namespace, name } = splitKey(key);
    let parent = this.parents.get(name, namespace);
    if (!parent) {
      this.release(key);
      this.eventLimiter.forget(key);
      return;
    }
    const finalizeHook = this.settings.hooks.finalize;
    const change = finalizerChange(parent, this.finalizer, finalizeHook !== undefined);
    if (change !== null) {
      const updated = await this.setFinalizer(parent, change);
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
      children: buildObjectMap(this.children.map((c) => c.info), observed),
      related,
      finalizing,
    });
    const hook = finalizing ? finalizeHook! : this.settings.hooks.sync;
    const result = parseSyncResponse(await callHook(hook, request));
    this.logger.debug({ parent: key, finalizing, children: result.children.length, resyncAfterSeconds: result.resyncAfterSeconds, finalized: result.finalized }, 'hook answered');

    if (result.resyncAfterSeconds !== undefined && result.resyncAfterSeconds > 0) this.queue.addAfter(key, result.resyncAfterSeconds * 1000);
    if (result.finalized && hasFinalizer(parent, this.finalizer)) {
      await this.setFinalizer(parent, false);
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
    await this.writeStatus(parent, desiredStatus(result.status, parent.metadata.generation));
    if (childError) throw childError;
  }

  /** The `related` map for a parent, from its cached /customize rules and their shared watches. */
  private async relatedObjects(key: string, parent: KubeObject) {
    const bindings = await this.relatedBindings(key, parent);
    // Metacontroller fails such a sync at once ("related informer not synced yet"); waiting
    // briefly for a watch that is just starting saves a retry.
    const pending = bindings.map((b) => this.relatedWatches.get(b.scope)!.ready);
    await withTimeout(Promise.all(pending), RELATED_SYNC_WAIT_MS, 'related watches not synced yet').catch((error: Error) => {
      throw new RelatedNotSyncedError(error.message);
    });
    const objects = bindings.flatMap((b) => this.relatedWatches.get(b.scope)!.informer.list().filter((o) => ruleSelects(b.rule, o)));
    return buildObjectMap(bindings.map((b) => b.info), objects);
  }

  private async relatedBindings(key: string, parent: KubeObject): Promise<RelatedBinding[]> {
    const customizeHook = this.settings.hooks.customize;
    if (!customizeHook) return [];
    const cached = this.customized.get(key);
    if (cached && cached.uid === parent.metadata.uid && cached.generation === parent.metadata.generation && cached.expiresAt > Date.now()) return cached.bindings;

    const rules = parseCustomizeResponse(await callHook(customizeHook, customizeRequest(this.settings.object, parent)));
    const bindings: RelatedBinding[] = [];
    for (const rule of rules) {
      const info = await this.api.resourceInfo(rule);
      const scope = ruleScope(rule);
      const id = scopeKey(scope);
      let shared = this.relatedWatches.get(id);
      if (!shared) {
        const informer = new Informer(this.api.listWatch(info, scope), `${rule.resource} ${id}`, this.logger, (_event: InformerEvent, o: KubeObject) => this.onRelated(id, o));
        shared = { informer, ready: informer.start(), users: new Set() };
        this.relatedWatches.set(id, shared);
      }
      shared.users.add(key);
      bindings.push({ rule, info, scope: id });
    }
    this.release(key, new Set(bindings.map((b) => b.scope)));
    this.customized.set(key, { uid: parent.metadata.uid ?? '', generation: parent.metadata.generation, expiresAt: Date.now() + CUSTOMIZE_TTL_MS, bindings });
    return bindings;
  }

  /** Drops a parent's interest in related watches (all, or all but `keep`); stops watches nobody uses. */
  private release(key: string, keep: ReadonlySet<string> = new Set()): void {
    const previous = this.customized.get(key);
    if (!previous) return;
    if (keep.size === 0) this.customized.delete(key);
    for (const binding of previous.bindings) {
      if (keep.has(binding.scope)) continue;
      const shared = this.relatedWatches.get(binding.scope);
      if (!shared) continue;
      shared.users.delete(key);
      if (shared.users.size === 0) {
        this.relatedWatches.delete(binding.scope);
        void shared.informer.stop();
      }
    }
  }

  private async applyChildren(parent: KubeObject, observed: KubeObject[], desired: KubeObject[]): Promise<void> {
    const writes = planChildren(parent, observed, desired, this.childMethods);
    const failures: string[] = [];
    for (const write of writes) {
      try {
        await this.applyChild(write);
        this.logger.info({ parent: parentKey(parent), action: write.action, kind: write.object.kind, child: objectKey(write.object) }, `child ${write.action}d`);
      } catch (error) {
        failures.push(`${write.action} ${write.object.kind} ${objectKey(write.object)}: ${describeError(error)}`);
      }
    }
    if (failures.length > 0) throw new ChildrenError(failures.join('; '));
  }

  private async applyChild(write: ChildWrite): Promise<void> {
    const info = this.children.find((c) => c.info.kind === write.object.kind && c.info.apiVersion === write.object.apiVersion)!.info;
    try {
      if (write.action === 'create') await this.api.create(info, write.object);
      else if (write.action === 'update') await this.api.replace(info, write.object);
      else await this.api.delete(info, write.object);
    } catch (error) {
      // Metacontroller's choices: an existing object is not ours to take over; a child that
      // changed or vanished meanwhile is handled on the next sync.
      if (write.action === 'create' && isAlreadyExists(error)) return;
      if (write.action !== 'create' && (isNotFound(error) || isConflict(error))) return;
      throw error;
    }
  }

  /** A Warning Event on the parent, rate-limited; failing to record it only costs a debug line. */
  private recordSyncError(key: string, message: string): void {
    const { namespace, name } = splitKey(key);
    const parent = this.parents.get(name, namespace);
    if (!parent || !this.eventLimiter.allow(key, Date.now())) return;
    this.api.create(EVENTS, syncErrorEvent(parent, message, new Date())).catch((error: unknown) => {
      this.logger.debug({ parent: key, error: describeError(error) }, 'could not record the SyncError event');
    });
  }

  /** GET-modify-PUT of the parent's finalizers; null when the parent is gone. */
  private async setFinalizer(parent: KubeObject, present: boolean): Promise<KubeObject | null> {
    for (let attempt = 1; ; attempt++) {
      let fresh: KubeObject;
      try {
        fresh = await this.api.get(this.parentInfo, parent.metadata.namespace, parent.metadata.name);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      const finalizers = finalizersWith(fresh, this.finalizer, present);
      if (finalizers === null) return fresh;
      try {
        return await this.api.replace(this.parentInfo, { ...fresh, metadata: { ...fresh.metadata, finalizers } });
      } catch (error) {
        if (isNotFound(error)) return null;
        if (!isConflict(error) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** Replaces `.status` through the status subresource when it differs from a fresh read. */
  private async writeStatus(parent: KubeObject, status: Record<string, unknown>): Promise<void> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      try {
        const fresh = await this.api.get(this.parentInfo, parent.metadata.namespace, parent.metadata.name);
        if (!statusDiffers(fresh, status)) return;
        await this.api.replaceStatus(this.parentInfo, { ...fresh, status });
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isConflict(error)) throw error;
      }
    }
    this.logger.debug({ parent: parentKey(parent) }, 'status write kept conflicting; the next sync retries');
  }
}

export function parentKey(object: KubeObject): string {
  return objectKey(object);
}

function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: gave up after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
