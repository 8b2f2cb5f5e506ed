import fc from 'fast-check';
import { canonicalJson, sameJson } from '../../../src/core/canonical.js';

/** JSON values as a hook body carries them, plus keys holding undefined (dropped by JSON). */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'rolloutGateRef'), fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 }),
  ),
})).value;

/** The same value with every object's keys in another order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reordered(v)]),
    );
  return value;
}

describe('sameJson', () => {
  test('agrees with comparing canonical JSON for any two values', () => {
    fc.assert(
      fc.property(jsonish, jsonish, (a, b) => sameJson(a, b) === (canonicalJson(a) === canonicalJson(b))),
      { numRuns: 2000 },
    );
  });

  test('ignores key order and keys holding undefined, as JSON does', () => {
    fc.assert(
      fc.property(jsonish, (a) => sameJson(a, reordered(a)) && canonicalJson(a) === canonicalJson(reordered(a))),
      { numRuns: 500 },
    );
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(true);
  });

  test('tells apart what JSON tells apart', () => {
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson({ a: {} }, { a: [] })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJson([{ x: 1 }], [{ x: 1, y: 2 }])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });
});
