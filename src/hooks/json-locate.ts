/**
 * Finds where a value sits in the bytes of a JSON document, by object keys, without
 * building it. For documents that JSON.parse has already accepted: on anything else it
 * answers undefined rather than guessing. A key that occurs twice resolves to the last
 * occurrence, as JSON.parse resolves it.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Byte range [start, end) of the value at `path` in `bytes`, or undefined. */
export function locateValue(bytes: Buffer, path: readonly string[]): [number, number] | undefined {
  let start = skipWhitespace(bytes, 0);
  let end: number | undefined;
  // Each member() walks its whole object (the last duplicate key wins), so the document is scanned once.
  for (const key of path) {
    const found = member(bytes, start, key);
    if (!found) return undefined;
    [start, end] = found;
  }
  end ??= valueEnd(bytes, start);
  return end === undefined ? undefined : [start, end];
}

function member(bytes: Buffer, objectStart: number, key: string): [number, number] | undefined {
  if (bytes[objectStart] !== OPEN_OBJECT) return undefined;
  let found: [number, number] | undefined;
  let i = skipWhitespace(bytes, objectStart + 1);
  if (bytes[i] === CLOSE_OBJECT) return undefined;
  for (;;) {
    if (bytes[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(bytes, i);
    if (keyEnd === undefined) return undefined;
    const name = decodeString(bytes, i, keyEnd);
    i = skipWhitespace(bytes, keyEnd);
    if (bytes[i] !== COLON) return undefined;
    const valueStart = skipWhitespace(bytes, i + 1);
    const end = valueEnd(bytes, valueStart);
    if (end === undefined) return undefined;
    if (name === key) found = [valueStart, end];
    i = skipWhitespace(bytes, end);
    if (bytes[i] === COMMA) {
      i = skipWhitespace(bytes, i + 1);
      continue;
    }
    return bytes[i] === CLOSE_OBJECT ? found : undefined;
  }
}

/** Index just past the value starting at `i`. */
function valueEnd(bytes: Buffer, i: number): number | undefined {
  const first = bytes[i];
  if (first === undefined) return undefined;
  if (first === QUOTE) return stringEnd(bytes, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < bytes.length; j++) {
      const b = bytes[j];
      if (b === QUOTE) {
        const end = stringEnd(bytes, j);
        if (end === undefined) return undefined;
        j = end - 1;
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        depth++;
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return undefined;
  }
  let j = i;
  while (j < bytes.length && !isDelimiter(bytes[j]!)) j++;
  return j > i ? j : undefined;
}

/** Index just past the closing quote of the string starting at `i`. */
function stringEnd(bytes: Buffer, i: number): number | undefined {
  for (let j = i + 1; j < bytes.length; j++) {
    const b = bytes[j];
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
  return undefined;
}

function decodeString(bytes: Buffer, start: number, end: number): string {
  const raw = bytes.toString('utf8', start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(bytes.toString('utf8', start, end)) as string) : raw;
}

function skipWhitespace(bytes: Buffer, i: number): number {
  let j = i;
  while (j < bytes.length && isWhitespace(bytes[j]!)) j++;
  return j;
}

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDelimiter(b: number): boolean {
  return b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || isWhitespace(b);
}
