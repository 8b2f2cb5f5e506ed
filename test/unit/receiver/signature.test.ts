import { signatureMatches, signBody } from '../../../src/receiver/signature.js';

// GitHub's documented test vector ("Validating webhook deliveries"): this secret and body give this signature.
const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('signatureMatches', () => {
  it('accepts GitHub’s documented signature and signs the same way', () => {
    expect(signBody(BODY, SECRET)).toBe(SIGNATURE);
    expect(signatureMatches(BODY, SIGNATURE, [Buffer.from(SECRET)])).toBe(true);
  });

  it('accepts either of two secrets during a rotation', () => {
    expect(signatureMatches(BODY, SIGNATURE, [Buffer.from('the new secret'), Buffer.from(SECRET)])).toBe(true);
    expect(signatureMatches(BODY, signBody(BODY, 'the new secret'), [Buffer.from('the new secret'), Buffer.from(SECRET)])).toBe(true);
  });

  it('rejects a wrong secret, a changed body, a missing or malformed header, and the old SHA-1 header form', () => {
    const secrets = [Buffer.from(SECRET)];
    expect(signatureMatches(BODY, SIGNATURE, [Buffer.from('another secret')])).toBe(false);
    expect(signatureMatches(Buffer.from('Hello, World?'), SIGNATURE, secrets)).toBe(false);
    expect(signatureMatches(BODY, undefined, secrets)).toBe(false);
    expect(signatureMatches(BODY, '', secrets)).toBe(false);
    expect(signatureMatches(BODY, SIGNATURE.slice(0, -2), secrets)).toBe(false);
    expect(signatureMatches(BODY, SIGNATURE.replace('sha256=', 'sha1='), secrets)).toBe(false);
    expect(signatureMatches(BODY, `${SIGNATURE}00`, secrets)).toBe(false);
  });

  it('never accepts anything when no secret is configured, nor an empty secret', () => {
    expect(signatureMatches(BODY, signBody(BODY, ''), [])).toBe(false);
    expect(signatureMatches(BODY, signBody(BODY, ''), [Buffer.alloc(0)])).toBe(false);
  });
});
