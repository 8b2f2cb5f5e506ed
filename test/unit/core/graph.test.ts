import { buildGraph, compareNames } from '../../../src/core/graph.js';
import type { Relationship } from '../../../src/core/types.js';
import { shuffles } from './helpers.js';

type Edges = [string, Relationship | undefined][];
const after = (environment: string): Relationship => ({ environment, type: 'After' });
const parallel = (environment: string): Relationship => ({ environment, type: 'Parallel' });

/** dev → staging → production, qa After dev, plus an unrelated sandbox ← preview pair. */
const PIPELINE: Edges = [
  ['dev', undefined],
  ['staging', after('dev')],
  ['production', after('staging')],
  ['qa', parallel('dev')],
  ['sandbox', undefined],
  ['preview', after('sandbox')],
];

describe('buildGraph: component discovery (spec §5.4)', () => {
  it('follows relationships upstream and downstream, transitively', () => {
    const expected = ['dev', 'qa', 'staging', 'production'];
    for (const self of expected) {
      expect(buildGraph(self, new Map(PIPELINE)).component).toEqual(expected);
    }
  });

  it('excludes unrelated environments', () => {
    expect(buildGraph('sandbox', new Map(PIPELINE)).component).toEqual(['sandbox', 'preview']);
    expect(buildGraph('preview', new Map(PIPELINE)).component).toEqual(['sandbox', 'preview']);
  });

  it('includes an upstream that only appears as a relationship target', () => {
    const g = buildGraph('production', new Map([['production', after('staging')]]));
    expect(g.component).toEqual(['staging', 'production']);
    expect(g.cyclic).toEqual([]);
    expect(g.relationshipOf('staging')).toBeUndefined();
  });

  it('includes self even when the map does not mention it', () => {
    const g = buildGraph('alone', new Map(PIPELINE));
    expect(g.component).toEqual(['alone']);
    expect(g.cyclic).toEqual([]);
  });

  it('orders ancestors first, ties by name', () => {
    const edges: Edges = [
      ['production', after('staging')],
      ['canary', parallel('production')],
      ['staging', after('dev')],
      ['qa', after('dev')],
      ['dev', undefined],
      ['perf', after('qa')],
      ['a-early', after('dev')],
    ];
    // depth 0: dev; depth 1: a-early, qa, staging; depth 2: perf, production; depth 3: canary
    expect(buildGraph('qa', new Map(edges)).component).toEqual(['dev', 'a-early', 'qa', 'staging', 'perf', 'production', 'canary']);
  });

  it('sorts names by code unit, independent of locale', () => {
    const edges: Edges = [
      ['root', undefined],
      ['b', after('root')],
      ['B', after('root')],
      ['a', after('root')],
      ['Z', after('root')],
    ];
    expect(buildGraph('root', new Map(edges)).component).toEqual(['root', 'B', 'Z', 'a', 'b']);
    expect(['b', 'a', 'Z'].sort(compareNames)).toEqual(['Z', 'a', 'b']);
  });

  it('does not depend on Map insertion order', () => {
    const reference = buildGraph('production', new Map(PIPELINE));
    for (const order of shuffles(PIPELINE)) {
      for (const self of ['production', 'qa', 'dev']) {
        const g = buildGraph(self, new Map(order));
        expect(g.component).toEqual(reference.component);
        expect(g.cyclic).toEqual([]);
      }
    }
  });

  it("exposes each environment's relationship", () => {
    const g = buildGraph('production', new Map(PIPELINE));
    expect(g.relationshipOf('production')).toEqual(after('staging'));
    expect(g.relationshipOf('qa')).toEqual(parallel('dev'));
    expect(g.relationshipOf('dev')).toBeUndefined();
    expect(g.relationshipOf('nowhere')).toBeUndefined();
  });
});

describe('buildGraph: cycles never hang and are reported', () => {
  it('reports a self-reference', () => {
    const g = buildGraph('solo', new Map([['solo', after('solo')]]));
    expect(g.component).toEqual(['solo']);
    expect(g.cyclic).toEqual(['solo']);
  });

  it('reports a 2-cycle', () => {
    const edges: Edges = [
      ['a', after('b')],
      ['b', parallel('a')],
    ];
    for (const order of shuffles(edges)) {
      const g = buildGraph('a', new Map(order));
      expect(g.component).toEqual(['a', 'b']);
      expect(g.cyclic).toEqual(['a', 'b']);
    }
  });

  it('reports a 3-cycle and leaves environments hanging below it out of `cyclic`', () => {
    const edges: Edges = [
      ['c', after('a')],
      ['a', after('b')],
      ['b', after('c')],
      ['tail', after('b')],
      ['tail2', after('tail')],
      ['other', undefined],
    ];
    for (const order of shuffles(edges)) {
      for (const self of ['a', 'tail2']) {
        const g = buildGraph(self, new Map(order));
        expect(g.cyclic).toEqual(['a', 'b', 'c']);
        // No depth on or below a cycle: all by name.
        expect(g.component).toEqual(['a', 'b', 'c', 'tail', 'tail2']);
      }
    }
  });

  it('reports a cycle elsewhere in the component when self is not on it', () => {
    const g = buildGraph(
      'canary',
      new Map<string, Relationship | undefined>([
        ['x', after('y')],
        ['y', after('x')],
        ['canary', after('x')],
      ]),
    );
    expect(g.cyclic).toEqual(['x', 'y']);
    expect(g.component).toEqual(['canary', 'x', 'y']);
  });

  it('does not report a cycle outside the component', () => {
    const g = buildGraph('production', new Map<string, Relationship | undefined>([...PIPELINE, ['loop1', after('loop2')], ['loop2', after('loop1')]]));
    expect(g.cyclic).toEqual([]);
    expect(g.component).toEqual(['dev', 'qa', 'staging', 'production']);
  });
});

describe('isDirectlyConnected: self, its upstream and its direct downstreams', () => {
  const g = buildGraph('staging', new Map(PIPELINE));
  it.each([
    ['staging', true],
    ['dev', true],
    ['production', true],
    ['qa', false],
    ['sandbox', false],
    ['preview', false],
  ])('%s → %j', (env, expected) => {
    expect(g.isDirectlyConnected(env)).toBe(expected);
  });

  it('from the leaf, only the upstream is directly connected', () => {
    const leaf = buildGraph('production', new Map(PIPELINE));
    expect(['dev', 'qa', 'staging', 'production'].map((e) => leaf.isDirectlyConnected(e))).toEqual([false, false, true, true]);
  });

  it('from the root, every direct downstream is directly connected', () => {
    const root = buildGraph('dev', new Map(PIPELINE));
    expect(['dev', 'qa', 'staging', 'production'].map((e) => root.isDirectlyConnected(e))).toEqual([true, true, true, false]);
  });
});
