/**
 * Hook bodies kept as received. Metacontroller resyncs send the same bytes again and again
 * while nothing changes; the digest recognises a repeat before any JSON is parsed, and the
 * bytes are decoded and parsed (with fastify's prototype-poisoning checks) only when needed.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export class JsonBody {
  private parsed: { value: unknown } | undefined;
  private raw: Buffer | undefined;

  constructor(
    bytes: Buffer,
    /** requestFingerprint of the bytes. */
    readonly digest: string,
    private readonly parseText: (text: string) => unknown,
  ) {
    this.raw = bytes;
  }

  /** The bytes as received, until value() has parsed them. */
  get bytes(): Buffer {
    if (!this.raw) throw new Error('the body was parsed and its bytes released');
    return this.raw;
  }

  /**
   * The parsed body; throws fastify's FST_ERR_CTP_* errors for empty or malformed JSON.
   * Releases the bytes: a request waiting on GitHub would otherwise keep them (off V8's
   * heap, where the garbage collector is slow to notice) for its whole life.
   */
  value(): unknown {
    this.parsed ??= { value: this.parseText(this.bytes.toString('utf8')) };
    this.raw = undefined;
    return this.parsed.value;
  }
}

const FINGERPRINT_KEY = randomBytes(16);
const FINGERPRINT_NONCE = Buffer.alloc(12);

/**
 * A 128-bit keyed fingerprint of request bytes: the GMAC tag (AES-128-GCM authenticating
 * the bytes, encrypting nothing) under a key drawn at start and never shown to anyone.
 * GHASH under a secret key is almost-universal: two different requests share a
 * fingerprint with probability about (bytes / 16) / 2^128, whatever their content, so no
 * request can be shaped to collide with another Environment's. Half of SHA-256's cost
 * with AES and carry-less multiplication instructions; no fixed nonce problem arises
 * because tags never leave the process.
 */
export function requestFingerprint(bytes: Buffer): string {
  const gmac = createCipheriv('aes-128-gcm', FINGERPRINT_KEY, FINGERPRINT_NONCE);
  gmac.setAAD(bytes);
  gmac.final();
  return gmac.getAuthTag().toString('base64');
}

/** Replaces fastify's JSON body parser with one that returns a JsonBody. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const strict = app.getDefaultJsonParser('error', 'error');
  const parseText = (text: string): unknown => {
    let result: { error: Error | null; value: unknown } | undefined;
    void strict(undefined as never, text, (error, value) => (result = { error, value }));
    if (!result) throw new Error('the JSON parser did not answer synchronously');
    if (result.error) throw result.error;
    return result.value;
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => {
    const bytes = raw as Buffer;
    done(null, new JsonBody(bytes, requestFingerprint(bytes), parseText));
  });
}

/** The parsed value of a request body (a JsonBody, or a value another parser produced). */
export function bodyValue(body: unknown): unknown {
  return body instanceof JsonBody ? body.value() : body;
}
