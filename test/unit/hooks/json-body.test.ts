import { requestFingerprint } from '../../../src/hooks/json-body.js';

describe('requestFingerprint', () => {
  const request = Buffer.from(JSON.stringify({ parent: { metadata: { name: 'prod' }, status: { phase: 'Ready' } }, related: {} }));

  test('is 128 bits (base64) and the same for the same bytes', () => {
    const fingerprint = requestFingerprint(request);
    expect(fingerprint).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(requestFingerprint(Buffer.from(request))).toBe(fingerprint);
  });

  test('differs when any byte differs, when bytes are appended, and for the empty body', () => {
    const fingerprints = new Set([
      requestFingerprint(request),
      requestFingerprint(Buffer.concat([request, Buffer.from(' ')])),
      requestFingerprint(Buffer.alloc(0)),
    ]);
    for (let i = 0; i < request.length; i++) {
      const changed = Buffer.from(request);
      changed[i] = changed[i]! ^ 1;
      fingerprints.add(requestFingerprint(changed));
    }
    expect(fingerprints.size).toBe(request.length + 3);
  });
});
