import fc from 'fast-check';
import { MAX_NESTING, tooDeep } from '../../../src/hooks/nesting.js';

function nested(levels: number, key = 'a'): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { [key]: value };
  return value;
}

describe('tooDeep', () => {
  test('accepts values up to the limit and scalars', () => {
    expect(tooDeep(nested(MAX_NESTING))).toBeUndefined();
    expect(tooDeep({ a: [1, { b: null }], c: 'x' })).toBeUndefined();
    expect(tooDeep('text')).toBeUndefined();
    expect(tooDeep(null)).toBeUndefined();
  });

  test('names the first object past the limit with a JSON pointer', () => {
    expect(tooDeep(nested(MAX_NESTING + 1))).toBe(`/${Array(MAX_NESTING).fill('a').join('/')}`);
    expect(tooDeep({ ok: 1, x: [[[{}]]] }, 3)).toBe('/x/0/0');
    expect(tooDeep({ 'a/b': { 'c~d': { e: {} } } }, 2)).toBe('/a~1b/c~0d');
    expect(tooDeep({ a: {} }, 0)).toBe('/');
  });

  test('agrees with a recursive definition of depth', () => {
    const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);
    const json = fc.jsonValue({ maxDepth: 6 });
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 6 }), (value, max) => (tooDeep(value, max) === undefined) === depth(value) <= max),
      { numRuns: 1000 },
    );
  });
});
