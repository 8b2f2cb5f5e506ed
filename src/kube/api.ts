/**
 * The Kubernetes client shared by the runner and the webhook receiver: plain JSON requests authenticated by a client-node
 * KubeConfig (certificates, tokens, exec plugins), resource discovery, and list+watch
 * caches built on client-node's ListWatch.
 *
 * Requests are made with node:http(s) rather than client-node's typed API classes because
 * those deserialize known kinds into model classes (dates become Date objects, unknown
 * fields are dropped); Metacontroller sends hooks the objects exactly as the API server
 * returned them, and so does the runner.
 */
import http from 'node:http';
import https from 'node:https';
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject, ListScope, ResourceRef } from './types.js';

export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResourceInfo extends ResourceRef {
  kind: string;
  namespaced: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The REST path of a collection, an object or one of its subresources. */
export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string, subresource?: string): string {
  let path = groupVersionPath(info.apiVersion);
  if (info.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${info.resource}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

export class KubeApi {
  private readonly server: URL;
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();

  constructor(readonly config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  /** Kind and scope of a resource, from the API server's discovery document (re-read once on a miss). */
  async resourceInfo(ref: ResourceRef): Promise<ResourceInfo> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let pending = this.discovery.get(ref.apiVersion);
      if (!pending || attempt > 0) {
        pending = this.discover(ref.apiVersion);
        this.discovery.set(ref.apiVersion, pending);
        pending.catch(() => this.discovery.delete(ref.apiVersion));
      }
      const found = (await pending).find((r) => r.resource === ref.resource);
      if (found) return found;
    }
    throw new KubeApiError(404, 'NotFound', `the API server does not serve ${ref.resource} in ${ref.apiVersion}`);
  }

  private async discover(apiVersion: string): Promise<ResourceInfo[]> {
    const list = (await this.request('GET', groupVersionPath(apiVersion))) as { resources?: { name: string; kind: string; namespaced: boolean }[] };
    return (list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => ({ apiVersion, resource: r.name, kind: r.kind, namespaced: r.namespaced }));
  }

  async get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    return stamp(info, (await this.request('GET', resourcePath(info, namespace, name))) as KubeObject);
  }

  async list(info: ResourceInfo, scope: ListScope): Promise<{ items: KubeObject[]; metadata: { resourceVersion?: string } }> {
    const query = new URLSearchParams();
    if (scope.fieldSelector) query.set('fieldSelector', scope.fieldSelector);
    if (scope.labelSelector) query.set('labelSelector', scope.labelSelector);
    const list = (await this.request('GET', resourcePath(info, scope.namespace || undefined), query)) as {
      items?: KubeObject[];
      metadata?: { resourceVersion?: string };
    };
    // List items of built-in kinds come without kind and apiVersion.
    return { items: (list.items ?? []).map((o) => stamp(info, o)), metadata: list.metadata ?? {} };
  }

  async create(info: ResourceInfo, object: KubeObject): Promise<KubeObject> {
    return (await this.request('POST', resourcePath(info, object.metadata.namespace), undefined, object)) as KubeObject;
  }

  async replace(info: ResourceInfo, object: KubeObject): Promise<KubeObject> {
    return (await this.request('PUT', resourcePath(info, object.metadata.namespace, object.metadata.name), undefined, object)) as KubeObject;
  }

  async replaceStatus(info: ResourceInfo, object: KubeObject): Promise<KubeObject> {
    return (await this.request('PUT', resourcePath(info, object.metadata.namespace, object.metadata.name, 'status'), undefined, object)) as KubeObject;
  }

  /** A JSON merge patch (RFC 7386) of one object: only the fields named change, so concurrent writers of other fields never conflict. */
  async mergePatch(info: ResourceInfo, namespace: string | undefined, name: string, patch: Record<string, unknown>): Promise<KubeObject> {
    return (await this.request('PATCH', resourcePath(info, namespace, name), undefined, patch, 'application/merge-patch+json')) as KubeObject;
  }

  /** Background deletion, only of the very object observed (UID precondition). */
  async delete(info: ResourceInfo, object: KubeObject): Promise<void> {
    const options = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: object.metadata.uid } };
    await this.request('DELETE', resourcePath(info, object.metadata.namespace, object.metadata.name), undefined, options);
  }

  /** A list+watch cache of one scope (not started). */
  listWatch(info: ResourceInfo, scope: ListScope): ListWatch<KubernetesObject> {
    return new ListWatch<KubernetesObject>(
      resourcePath(info, scope.namespace || undefined),
      new Watch(this.config),
      () => this.list(info, scope) as unknown as Promise<KubernetesListObject<KubernetesObject>>,
      false,
      scope.labelSelector || undefined,
      scope.fieldSelector || undefined,
    );
  }

  private async request(method: string, path: string, query?: URLSearchParams, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const url = new URL(this.server.toString().replace(/\/+$/, '') + path);
    if (query) url.search = query.toString();
    const options: https.RequestOptions = { method, headers: { accept: 'application/json' } };
    await this.config.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) options.headers = { ...options.headers, 'content-type': contentType };
    const transport = url.protocol === 'https:' ? https : http;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = transport.request(url, { ...options, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (status >= 200 && status < 300) return json;
    const problem = (json ?? {}) as { reason?: string; message?: string };
    throw new KubeApiError(status, problem.reason ?? String(status), `${method} ${path}: ${status} ${problem.message ?? text.slice(0, 200)}`);
  }
}

function stamp(info: ResourceInfo, object: KubeObject): KubeObject {
  return { ...object, apiVersion: object.apiVersion || info.apiVersion, kind: object.kind || info.kind };
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason === 'Conflict';
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409 && error.reason === 'AlreadyExists';
}
