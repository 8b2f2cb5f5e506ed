/**
 * Which Environments a GitHub event concerns: in each namespace, those of the event's
 * repository and application whose environment is the event's, its upstream, or one of its
 * direct downstreams (core/graph.ts `isDirectlyConnected`, the same relation the sync uses).
 * Pure: works on the objects a list+watch cache holds.
 */
import { buildGraph } from '../core/graph.js';
import { deploymentName, resolveIdentity } from '../core/naming.js';
import type { Relationship } from '../core/types.js';
import type { KubeObject } from '../kube/types.js';
import type { EventSubject } from './events.js';

export interface EnvironmentRef {
  namespace: string;
  name: string;
}

interface Candidate extends EnvironmentRef {
  environment: string;
  relationship?: Relationship;
}

export function concernedEnvironments(subject: EventSubject, environments: readonly KubeObject[]): EnvironmentRef[] {
  const byNamespace = new Map<string, Candidate[]>();
  for (const object of environments) {
    const candidate = candidateOf(object, subject);
    if (!candidate) continue;
    const list = byNamespace.get(candidate.namespace) ?? [];
    list.push(candidate);
    byNamespace.set(candidate.namespace, list);
  }
  const result: EnvironmentRef[] = [];
  for (const candidates of byNamespace.values()) {
    const relationships = new Map<string, Relationship | undefined>();
    for (const c of candidates) if (!relationships.has(c.environment)) relationships.set(c.environment, c.relationship);
    const graph = buildGraph(subject.environment, relationships);
    for (const c of candidates) if (graph.isDirectlyConnected(c.environment)) result.push({ namespace: c.namespace, name: c.name });
  }
  return result.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
}

function candidateOf(object: KubeObject, subject: EventSubject): Candidate | undefined {
  const namespace = object.metadata.namespace;
  const name = object.metadata.name;
  const spec = object.spec;
  if (typeof namespace !== 'string' || typeof name !== 'string' || !isRecord(spec)) return undefined;
  const backend = spec.backend;
  if (!isRecord(backend) || typeof backend.project !== 'string' || backend.project.toLowerCase() !== subject.repository) return undefined;
  const identity = resolveIdentity(spec);
  if (!identity || identity.environment.includes('/') || deploymentName(identity.application) !== subject.application) return undefined;
  const candidate: Candidate = { namespace, name, environment: identity.environment };
  const rel = spec.relationship;
  if (isRecord(rel) && typeof rel.environment === 'string' && rel.environment && (rel.type === 'After' || rel.type === 'Parallel')) {
    candidate.relationship = { environment: rel.environment, type: rel.type };
  }
  return candidate;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
