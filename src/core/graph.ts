/**
 * The relationship graph of one application's environments. Every environment has at most
 * one upstream (its relationship), so the graph is a forest plus, when misconfigured, cycles.
 */
import type { Relationship } from './types.js';

export interface RelationshipGraph {
  /** Environments connected to `self` (following relationships both ways), ancestors first, ties by name. */
  component: string[];
  /** Members of the component that sit on a cycle (including self-references), sorted. */
  cyclic: string[];
  relationshipOf(environment: string): Relationship | undefined;
  /** Self, its upstream and its direct downstreams. */
  isDirectlyConnected(environment: string): boolean;
}

export function buildGraph(self: string, relationships: ReadonlyMap<string, Relationship | undefined>): RelationshipGraph {
  const parentOf = (env: string): string | undefined => relationships.get(env)?.environment;
  const nodes = new Set<string>([self, ...relationships.keys()]);
  for (const rel of relationships.values()) if (rel) nodes.add(rel.environment);

  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    if (!neighbours.has(a)) neighbours.set(a, new Set());
    neighbours.get(a)!.add(b);
  };
  for (const env of nodes) {
    const parent = parentOf(env);
    if (parent !== undefined) {
      link(env, parent);
      link(parent, env);
    }
  }

  const members = new Set<string>([self]);
  const queue = [self];
  while (queue.length > 0) {
    const env = queue.pop()!;
    for (const next of neighbours.get(env) ?? []) {
      if (!members.has(next)) {
        members.add(next);
        queue.push(next);
      }
    }
  }

  const cyclic = findCyclic(members, parentOf);
  const component = topologicalOrder(members, parentOf);
  const upstream = parentOf(self);
  return {
    component,
    cyclic,
    relationshipOf: (env) => relationships.get(env),
    isDirectlyConnected: (env) => env === self || env === upstream || parentOf(env) === self,
  };
}

function findCyclic(members: ReadonlySet<string>, parentOf: (env: string) => string | undefined): string[] {
  const onCycle = new Set<string>();
  const settled = new Set<string>();
  for (const start of members) {
    const path: string[] = [];
    const index = new Map<string, number>();
    let env: string | undefined = start;
    while (env !== undefined && members.has(env) && !settled.has(env) && !index.has(env)) {
      index.set(env, path.length);
      path.push(env);
      env = parentOf(env);
    }
    if (env !== undefined && index.has(env)) for (const c of path.slice(index.get(env))) onCycle.add(c);
    for (const p of path) settled.add(p);
  }
  return [...onCycle].sort(compareNames);
}

/**
 * Ancestors before descendants: by depth below the root, ties by name. Environments on a
 * cycle, or below one, have no depth and come last, by name.
 */
function topologicalOrder(members: ReadonlySet<string>, parentOf: (env: string) => string | undefined): string[] {
  const depth = (env: string): number => {
    let d = 0;
    const seen = new Set<string>();
    for (let cur = parentOf(env); cur !== undefined && members.has(cur); cur = parentOf(cur)) {
      if (seen.has(cur) || cur === env) return Number.POSITIVE_INFINITY;
      seen.add(cur);
      d++;
    }
    return d;
  };
  const depths = new Map([...members].map((env) => [env, depth(env)]));
  return [...members].sort((a, b) => depths.get(a)! - depths.get(b)! || compareNames(a, b));
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
