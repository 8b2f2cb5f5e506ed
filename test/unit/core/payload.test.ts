import { decodePayload, encodePayload } from '../../../src/core/payload.js';
import type { DeploymentPayload } from '../../../src/core/types.js';
import { fixture, REV_V100, REV_V110, REV_V120 } from './helpers.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

const REV = 'abc123def4567890abc123def4567890abc123de';
const wire = { id: '12', version: { tag: 'v2.0.0', revision: REV } };
const expected: DeploymentPayload = { id: 12, version: { tag: 'v2.0.0', revision: REV } };
const wireText = JSON.stringify(wire);

describe('encodePayload (spec §4: written like the Go controller)', () => {
  it('is base64 of {"id":"<decimal>","version":{...}} without a relationship', () => {
    const out = encodePayload({ id: 3, version: { tag: 'v1.2.0', revision: REV_V120 } });
    expect(unb64(out)).toBe(`{"id":"3","version":{"tag":"v1.2.0","revision":"${REV_V120}"}}`);
    // Byte-identical with what the Go controller wrote for the same entry.
    expect(out).toBe(fixture.deployments[0]!.payload);
  });

  it('puts the relationship between id and version', () => {
    const out = encodePayload({
      id: 7,
      relationship: { environment: 'staging', type: 'After' },
      version: { tag: 'v1.0.0', revision: REV_V100 },
    });
    expect(unb64(out)).toBe(`{"id":"7","relationship":{"environment":"staging","type":"After"},"version":{"tag":"v1.0.0","revision":"${REV_V100}"}}`);
    expect(out).toBe(fixture.deployments[3]!.payload);
  });

  it('writes large ids as exact decimal strings', () => {
    const out = encodePayload({ id: 9007199254740991, version: { tag: 't', revision: 'r' } });
    expect(unb64(out)).toBe('{"id":"9007199254740991","version":{"tag":"t","revision":"r"}}');
  });

  it('keeps every version field it is given', () => {
    const out = encodePayload({
      id: 1,
      version: { tag: 'v1', revision: 'r1', digest: 'sha256:aa', version: '1.0.0', created: '2026-01-01T00:00:00Z' },
    });
    expect(unb64(out)).toBe('{"id":"1","version":{"tag":"v1","revision":"r1","digest":"sha256:aa","version":"1.0.0","created":"2026-01-01T00:00:00Z"}}');
  });

  it('round-trips through decodePayload', () => {
    const payload: DeploymentPayload = {
      id: 42,
      relationship: { environment: 'qa', type: 'Parallel' },
      version: { tag: 'v4', revision: 'cafe', digest: 'sha256:bb' },
    };
    expect(decodePayload(encodePayload(payload))).toEqual(payload);
  });
});

describe('decodePayload: every encoding GitHub hands back (spec §4)', () => {
  it('accepts a JSON object', () => {
    expect(decodePayload(wire)).toEqual(expected);
  });
  it('accepts JSON text', () => {
    expect(decodePayload(wireText)).toEqual(expected);
  });
  it('accepts JSON text with surrounding whitespace', () => {
    expect(decodePayload(`\n  ${wireText}  \n`)).toEqual(expected);
  });
  it('accepts base64 of JSON text', () => {
    expect(decodePayload(b64(wireText))).toEqual(expected);
  });
  it('accepts base64 without padding', () => {
    const text = [wireText, `${wireText} `].find((t) => t.length % 3 !== 0)!;
    const padded = b64(text);
    expect(padded.endsWith('=')).toBe(true);
    expect(decodePayload(padded.replace(/=+$/, ''))).toEqual(expected);
  });
  it('accepts a JSON string holding base64 (the Go controller, quoted by GraphQL)', () => {
    expect(decodePayload(JSON.stringify(b64(wireText)))).toEqual(expected);
  });
  it('accepts a JSON string holding base64 wrapped in one more JSON-string layer', () => {
    expect(decodePayload(JSON.stringify(JSON.stringify(b64(wireText))))).toEqual(expected);
  });
  it('accepts JSON text wrapped in one more JSON-string layer', () => {
    expect(decodePayload(JSON.stringify(wireText))).toEqual(expected);
  });
  it('accepts JSON text wrapped in two more JSON-string layers', () => {
    expect(decodePayload(JSON.stringify(JSON.stringify(wireText)))).toEqual(expected);
  });
  it('accepts the id as a number', () => {
    expect(decodePayload({ ...wire, id: 12 })).toEqual(expected);
    expect(decodePayload(JSON.stringify({ ...wire, id: 12 }))).toEqual(expected);
  });
  it('accepts the id as a decimal string', () => {
    expect(decodePayload({ ...wire, id: '5000000003' })).toEqual({ ...expected, id: 5000000003 });
  });
  it('accepts id 0', () => {
    expect(decodePayload({ ...wire, id: '0' })).toEqual({ ...expected, id: 0 });
  });
  it('defaults a missing tag to the empty string', () => {
    expect(decodePayload({ id: 1, version: { revision: REV } })).toEqual({ id: 1, version: { tag: '', revision: REV } });
  });
  it('keeps only the known, non-empty version fields', () => {
    expect(decodePayload({ id: 1, version: { tag: 'v1', revision: REV, digest: '', extra: 'x', version: 7, created: 'c' } })).toEqual({
      id: 1,
      version: { tag: 'v1', revision: REV, created: 'c' },
    });
  });

  it('keeps a valid relationship', () => {
    expect(decodePayload({ ...wire, relationship: { environment: 'staging', type: 'Parallel' } })).toEqual({
      ...expected,
      relationship: { environment: 'staging', type: 'Parallel' },
    });
  });
  it.each([
    ['an unknown type', { environment: 'staging', type: 'Before' }],
    ['a lower-case type', { environment: 'staging', type: 'after' }],
    ['an empty environment', { environment: '', type: 'After' }],
    ['a missing environment', { type: 'After' }],
    ['a string', 'After staging'],
    ['null', null],
  ])('drops a relationship with %s but keeps the payload', (_what, relationship) => {
    const decoded = decodePayload({ ...wire, relationship });
    expect(decoded).toEqual(expected);
    expect(decoded).not.toHaveProperty('relationship');
  });

  it.each<[string, unknown]>([
    ['unparseable text', 'not a payload at all'],
    ['broken JSON', '{"id":"1","version":{'],
    ['empty text', ''],
    ['whitespace', '   '],
    ['a non-numeric id', { id: 'abc', version: { revision: REV } }],
    ['a fractional id', { id: '1.5', version: { revision: REV } }],
    ['a negative id', { id: -1, version: { revision: REV } }],
    ['a negative id string', { id: '-1', version: { revision: REV } }],
    ['a non-integer id', { id: 1.5, version: { revision: REV } }],
    ['a missing id', { version: { tag: 'v1', revision: REV } }],
    ['a missing version', { id: '1' }],
    ['a missing version.revision', { id: '1', version: { tag: 'v1' } }],
    ['an empty version.revision', { id: '1', version: { tag: 'v1', revision: '' } }],
    ['a numeric version.revision', { id: '1', version: { tag: 'v1', revision: 5 } }],
    ['version as a string', { id: '1', version: REV }],
    ['an array', [wire]],
    ['JSON text of an array', JSON.stringify([wire])],
    ['null', null],
    ['undefined', undefined],
    ['a number', 12],
    ['a boolean', true],
    ['a JSON string holding a number', '"12"'],
    ['base64 of non-JSON', b64('hello world')],
  ])('returns null for %s', (_what, raw) => {
    expect(decodePayload(raw)).toBeNull();
  });

  it('returns null for a payload wrapped in 7 string layers (bounded unwrapping)', () => {
    let value: string = wireText; // layer 1: JSON text
    for (let i = 0; i < 6; i++) value = JSON.stringify(value); // layers 2..7
    expect(decodePayload(value)).toBeNull();
  });

  it('returns null for 7 alternating base64/JSON-string layers', () => {
    let value: string = wireText;
    for (let i = 0; i < 6; i++) value = i % 2 === 0 ? b64(value) : JSON.stringify(value);
    expect(decodePayload(value)).toBeNull();
  });

  it('decodes every Go fixture payload to the fixture ids and tags', () => {
    const decoded = fixture.deployments.map((d) => decodePayload(d.payload));
    expect(decoded).toEqual([
      { id: 3, version: { tag: 'v1.2.0', revision: REV_V120 } },
      { id: 2, version: { tag: 'v1.1.0', revision: REV_V110 } },
      { id: 1, version: { tag: 'v1.0.0', revision: REV_V100 } },
      { id: 7, relationship: { environment: 'staging', type: 'After' }, version: { tag: 'v1.0.0', revision: REV_V100 } },
    ]);
    // And they agree with the fixture's expected reading.
    const reading = [...fixture.expected_reading.staging, ...fixture.expected_reading.production];
    expect(decoded.map((p) => [p?.id, p?.version.tag])).toEqual(reading.map((r) => [r.id, r.tag]));
    // Each revision is the deployment's ref.
    expect(decoded.map((p) => p?.version.revision)).toEqual(fixture.deployments.map((d) => d.ref));
  });

  it('decodes the Go fixture payloads also when GraphQL quotes them', () => {
    for (const d of fixture.deployments) {
      expect(decodePayload(JSON.stringify(d.payload))).toEqual(decodePayload(d.payload));
    }
  });
});
