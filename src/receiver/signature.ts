/**
 * GitHub's delivery signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
 * keyed with the webhook secret. Several secrets may be valid at once (rotation).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-f]{64})$/;

/** True when `header` is the signature of `body` under one of `secrets`; compared in constant time. */
export function signatureMatches(body: Buffer, header: string | undefined, secrets: readonly Buffer[]): boolean {
  const match = typeof header === 'string' ? HEADER.exec(header.trim().toLowerCase()) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  let matched = false;
  // Every secret is tried, so the time taken does not tell which one (if any) matched.
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const expected = createHmac('sha256', secret).update(body).digest();
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}

/** The header value GitHub sends for `body` under `secret` (the emulator and tests sign with it). */
export function signBody(body: Buffer | string, secret: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
