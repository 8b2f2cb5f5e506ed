/**
 * Hook bodies kept as received. Metacontroller resyncs send the same bytes again and again
 * while nothing changes; the digest recognises a repeat before any JSON is parsed, and the
 * bytes are decoded and parsed (with fastify's prototype-poisoning checks) only when needed.
 */
import { hash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export class JsonBody {
  private parsed: { value: unknown } | undefined;
  private raw: Buffer | undefined;

  constructor(
    bytes: Buffer,
    /** SHA-256 of the bytes, base64. */
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

/** Replaces fastify's JSON body parser with one that returns a JsonBody. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const strict = app.getDefaultJsonParser('error', 'error');
  const parseText = (text: string): unknown => {
    let result: { error: Error | null; value: unknown } | undefined;
    strict(undefined as never, text, (error, value) => (result = { error, value }));
    if (!result) throw new Error('the JSON parser did not answer synchronously');
    if (result.error) throw result.error;
    return result.value;
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => {
    const bytes = raw as Buffer;
    done(null, new JsonBody(bytes, hash('sha256', bytes, 'base64'), parseText));
  });
}

/** The parsed value of a request body (a JsonBody, or a value another parser produced). */
export function bodyValue(body: unknown): unknown {
  return body instanceof JsonBody ? body.value() : body;
}
