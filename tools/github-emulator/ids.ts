/**
 * Identifiers shaped like GitHub's: "next" global node ids are `<PREFIX>_` + base64url(msgpack([0, ...ids]))
 * (which is why they start with `kwDO`/`kgDO`), and GraphQL cursors are opaque base64 strings.
 */

function msgpackInt(n: number | bigint): number[] {
  const v = BigInt(n);
  if (v < 0n) throw new Error('negative ids are not supported');
  if (v < 128n) return [Number(v)];
  if (v < 1n << 8n) return [0xcc, Number(v)];
  if (v < 1n << 16n) return [0xcd, Number(v >> 8n), Number(v & 0xffn)];
  const bytes = (count: number) => Array.from({ length: count }, (_, i) => Number((v >> BigInt(8 * (count - 1 - i))) & 0xffn));
  if (v < 1n << 32n) return [0xce, ...bytes(4)];
  return [0xcf, ...bytes(8)];
}

function msgpackStr(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  if (b.length < 32) return [0xa0 | b.length, ...b];
  if (b.length < 256) return [0xd9, b.length, ...b];
  return [0xda, b.length >> 8, b.length & 0xff, ...b];
}

/** e.g. nodeId('DE', 700000001, 5000001000) → "DE_kwDOKbhMAc8AAAABKgXyaA" */
export function nodeId(prefix: string, ...parts: (number | string)[]): string {
  const items = [0, ...parts];
  const bytes = [0x90 | items.length, ...items.flatMap((p) => (typeof p === 'string' ? msgpackStr(p) : msgpackInt(p)))];
  return `${prefix}_${Buffer.from(bytes).toString('base64url')}`;
}

/** Opaque cursor over a sort key. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(`cursor:v2:${JSON.stringify(key)}`, 'utf8').toString('base64');
}

export function decodeCursor(cursor: string): (string | number)[] | undefined {
  try {
    const text = Buffer.from(cursor, 'base64').toString('utf8');
    if (!text.startsWith('cursor:v2:')) return undefined;
    const key: unknown = JSON.parse(text.slice('cursor:v2:'.length));
    if (!Array.isArray(key) || !key.every((k) => typeof k === 'string' || typeof k === 'number')) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

/** GitHub timestamps have second precision: 2012-07-20T01:19:13Z. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
