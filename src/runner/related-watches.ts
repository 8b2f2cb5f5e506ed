/**
 * The related objects of each parent: its /customize rules (cached per parent uid and
 * generation for 20 minutes, as Metacontroller does) bound to list+watch caches shared by
 * every parent with the same rule scope, and stopped when no parent uses them any more.
 */
import type { Logger } from 'pino';
import { buildObjectMap } from './hook-protocol.js';
import { Informer } from '../kube/informer.js';
import type { KubeApi, ResourceInfo } from '../kube/api.js';
import { ruleScope, ruleSelects, scopeKey } from './selection.js';
import { withTimeout } from './timeout.js';
import type { KubeObject, ObjectMap, RelatedResourceRule } from './types.js';

const CUSTOMIZE_TTL_MS = 20 * 60_000;
const SYNC_WAIT_MS = 10_000;

/** A related watch is still listing: retried like any failure, but not worth an Event. */
export class RelatedNotSyncedError extends Error {
  override name = 'RelatedNotSyncedError';
}

interface Binding {
  rule: RelatedResourceRule;
  info: ResourceInfo;
  scope: string;
}

interface Customized {
  uid: string;
  generation: number | undefined;
  expiresAt: number;
  bindings: Binding[];
}

interface SharedWatch {
  informer: Informer;
  ready: Promise<void>;
  users: Set<string>;
}

export class RelatedWatches {
  private readonly customized = new Map<string, Customized>();
  private readonly watches = new Map<string, SharedWatch>();

  constructor(
    private readonly api: KubeApi,
    private readonly logger: Logger,
    /** Called with the parents whose rules select an object that changed. */
    private readonly onChange: (parentKeys: string[]) => void,
  ) {}

  /**
   * The `related` map for a parent. `fetchRules` (the /customize call) runs only when the
   * cached rules are missing, expired, or from another uid or generation of the parent.
   */
  async objectsFor(key: string, parent: KubeObject, fetchRules: () => Promise<RelatedResourceRule[]>): Promise<ObjectMap> {
    const bindings = await this.bindingsFor(key, parent, fetchRules);
    // Metacontroller fails such a sync at once ("related informer not synced yet"); waiting
    // briefly for a watch that is just starting saves a retry.
    await withTimeout(Promise.all(bindings.map((b) => this.watches.get(b.scope)!.ready)), SYNC_WAIT_MS, 'related watches not synced yet').catch(
      (error: Error) => {
        throw new RelatedNotSyncedError(error.message);
      },
    );
    const objects = bindings.flatMap((b) =>
      this.watches
        .get(b.scope)!
        .informer.list()
        .filter((o) => ruleSelects(b.rule, o)),
    );
    return buildObjectMap(
      bindings.map((b) => b.info),
      objects,
    );
  }

  private async bindingsFor(key: string, parent: KubeObject, fetchRules: () => Promise<RelatedResourceRule[]>): Promise<Binding[]> {
    const cached = this.customized.get(key);
    if (cached && cached.uid === parent.metadata.uid && cached.generation === parent.metadata.generation && cached.expiresAt > Date.now())
      return cached.bindings;
    const rules = await fetchRules();
    // Resolve every resource before taking any watch, so a failure leaves nothing behind.
    const bindings: Binding[] = [];
    for (const rule of rules) bindings.push({ rule, info: await this.api.resourceInfo(rule), scope: scopeKey(ruleScope(rule)) });
    for (const binding of bindings) this.acquire(key, binding);
    this.release(key, new Set(bindings.map((b) => b.scope)));
    this.customized.set(key, { uid: parent.metadata.uid ?? '', generation: parent.metadata.generation, expiresAt: Date.now() + CUSTOMIZE_TTL_MS, bindings });
    return bindings;
  }

  private acquire(key: string, binding: Binding): void {
    let shared = this.watches.get(binding.scope);
    if (!shared) {
      const informer = new Informer(
        this.api.listWatch(binding.info, ruleScope(binding.rule)),
        `${binding.rule.resource} ${binding.scope}`,
        this.logger,
        (_event, object) => this.onChange(this.parentsSelecting(binding.scope, object)),
      );
      shared = { informer, ready: informer.start(), users: new Set() };
      this.watches.set(binding.scope, shared);
    }
    shared.users.add(key);
  }

  private parentsSelecting(scope: string, object: KubeObject): string[] {
    return [...this.customized].filter(([, c]) => c.bindings.some((b) => b.scope === scope && ruleSelects(b.rule, object))).map(([key]) => key);
  }

  /** Drops a parent's interest (in all its watches, or all but `keep`); stops watches nobody uses. */
  release(key: string, keep: ReadonlySet<string> = new Set()): void {
    const previous = this.customized.get(key);
    if (!previous) return;
    if (keep.size === 0) this.customized.delete(key);
    for (const binding of previous.bindings) {
      if (keep.has(binding.scope)) continue;
      const shared = this.watches.get(binding.scope);
      if (!shared) continue;
      shared.users.delete(key);
      if (shared.users.size === 0) {
        this.watches.delete(binding.scope);
        void shared.informer.stop();
      }
    }
  }

  async stop(): Promise<void> {
    const informers = [...this.watches.values()].map((w) => w.informer);
    this.watches.clear();
    this.customized.clear();
    await Promise.all(informers.map((i) => i.stop()));
  }
}
