/**
 * A MODEL of the request pattern of kuberik's Go environment-controller, for comparison
 * only: it issues, one after another, the REST calls that controller makes per reconcile
 * of one Environment, against the same emulator and data. It does not compute a gate or
 * a status; it only reproduces the cost. Its documented cost is about 5·H + E + D + 2
 * requests (H history entries, E environments, D deployments of the task); see
 * the project specification (environment-sync.md, §8; not part of this repository).
 *
 * Per reconcile:
 *  1. per history entry, oldest first: list deployments by ref + task + environment,
 *     then list that deployment's statuses (create the deployment and its status when
 *     missing; post a status when the newest differs)                            2·H (+ writes)
 *  2. the task-wide deployment list, page by page                                ⌈D/100⌉
 *  3. the statuses of each environment's newest deployment                       E
 *  4. the statuses of every deployment of the task                               D
 *  5. the per-environment re-sync of the local history: per entry, list by ref +
 *     task + environment, list statuses, get the deployment                      3·H
 *  6. the paged list of the local environment's deployments                     ⌈H/100⌉
 */
import { Pool } from 'undici';
import { decodePayload } from '../src/core/payload.js';
import type { HistoryEntry } from './scenario.js';

interface RestDeployment {
  id: number;
  environment: string;
  payload: unknown;
}

interface RestStatus {
  state: string;
  description: string | null;
}

export interface ModelInput {
  owner: string;
  repo: string;
  app: string;
  environment: string;
  /** Newest first. */
  history: HistoryEntry[];
  relationship?: { environment: string; type: string };
}

const PAGE_SIZE = 100;
/** Bounds every paged listing: 100 pages × 100 items. */
const MAX_PAGES = 100;

export class GoControllerModel {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.pool = new Pool(baseUrl, { connections: 1, pipelining: 1 });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async reconcile(input: ModelInput): Promise<void> {
    const task = `deploy:kuberik/${input.app}`;
    const environment = `kuberik/${input.app}/${input.environment}`;
    const base = `/repos/${input.owner}/${input.repo}`;
    const byRef = (entry: HistoryEntry) => `${base}/deployments?${new URLSearchParams({ ref: entry.version.revision, task, environment }).toString()}`;
    const oldestFirst = [...input.history].reverse();

    // 1. publish the local history
    for (const entry of oldestFirst) {
      const found = this.match(await this.get<RestDeployment[]>(byRef(entry)), entry);
      const desired = {
        state: entry.bakeStatus === 'Succeeded' ? 'success' : 'in_progress',
        description: entry.bakeStatus === 'Succeeded' ? 'Bake succeeded' : 'Deploying',
      };
      if (!found) {
        const created = await this.post<RestDeployment>(`${base}/deployments`, {
          ref: entry.version.revision,
          task,
          environment,
          description: entry.message,
          payload: Buffer.from(
            JSON.stringify({ id: String(entry.id), ...(input.relationship ? { relationship: input.relationship } : {}), version: entry.version }),
          ).toString('base64'),
          auto_merge: false,
          required_contexts: [],
          production_environment: false,
        });
        await this.post(`${base}/deployments/${created.id}/statuses`, desired);
        continue;
      }
      const statuses = await this.get<RestStatus[]>(`${base}/deployments/${found.id}/statuses`);
      const newest = statuses[0];
      if (!newest || newest.state !== desired.state || newest.description !== desired.description) {
        await this.post(`${base}/deployments/${found.id}/statuses`, desired);
      }
    }

    // 2. the task-wide list
    const all = await this.pages<RestDeployment>(`${base}/deployments?${new URLSearchParams({ task, per_page: String(PAGE_SIZE) }).toString()}`);
    // 3. statuses of each environment's newest deployment (lists are newest first)
    const newestPerEnvironment = new Map<string, RestDeployment>();
    for (const d of all) if (!newestPerEnvironment.has(d.environment)) newestPerEnvironment.set(d.environment, d);
    for (const d of newestPerEnvironment.values()) await this.get<RestStatus[]>(`${base}/deployments/${d.id}/statuses`);
    // 4. statuses per deployment
    for (const d of all) await this.get<RestStatus[]>(`${base}/deployments/${d.id}/statuses`);
    // 5. per-environment re-sync of the local history
    for (const entry of oldestFirst) {
      const found = this.match(await this.get<RestDeployment[]>(byRef(entry)), entry);
      if (!found) continue;
      await this.get<RestStatus[]>(`${base}/deployments/${found.id}/statuses`);
      await this.get<RestDeployment>(`${base}/deployments/${found.id}`);
    }
    // 6. the paged list of the local environment
    await this.pages<RestDeployment>(`${base}/deployments?${new URLSearchParams({ task, environment, per_page: String(PAGE_SIZE) }).toString()}`);
  }

  private match(list: RestDeployment[], entry: HistoryEntry): RestDeployment | undefined {
    return list.find((d) => {
      const payload = decodePayload(d.payload);
      return payload?.id === entry.id && payload.version.revision === entry.version.revision;
    });
  }

  private async pages<T>(first: string): Promise<T[]> {
    const items: T[] = [];
    let path: string | undefined = first;
    for (let page = 0; path && page < MAX_PAGES; page++) {
      const res = await this.pool.request({ method: 'GET', path, headers: this.headers() });
      const body = (await res.body.json()) as T[];
      if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode}`);
      items.push(...body);
      path = nextPage(res.headers.link);
    }
    return items;
  }

  private async get<T>(path: string): Promise<T> {
    const res = await this.pool.request({ method: 'GET', path, headers: this.headers() });
    const body = (await res.body.json()) as T;
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode}`);
    return body;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const res = await this.pool.request({
      method: 'POST',
      path,
      headers: { ...this.headers(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.body.json()) as T;
    if (res.statusCode !== 201) throw new Error(`POST ${path}: ${res.statusCode} ${JSON.stringify(json)}`);
    return json;
  }

  private headers(): Record<string, string> {
    return { authorization: `token ${this.token}`, accept: 'application/vnd.github+json', 'user-agent': 'go-controller-model' };
  }
}

function nextPage(link: string | string[] | undefined): string | undefined {
  const header = Array.isArray(link) ? link.join(', ') : link;
  const match = header ? /<([^>]+)>;\s*rel="next"/.exec(header) : null;
  if (!match) return undefined;
  const url = new URL(match[1]!);
  return `${url.pathname}${url.search}`;
}
