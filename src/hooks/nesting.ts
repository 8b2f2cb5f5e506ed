/**
 * Depth guard for hook bodies. JSON.parse copes with very deep nesting, but every later
 * step that walks the value recursively (validation, comparisons, response serialisation)
 * would overflow the stack; no Kubernetes object Metacontroller sends comes near the limit.
 */
export const MAX_NESTING = 100;

interface Frame {
  value: object;
  depth: number;
  key: string;
  parent: Frame | undefined;
}

/**
 * JSON pointer of the first value nested deeper than `max` levels, or undefined. Iterative
 * on purpose; it runs on every hook request, so it allocates one frame per nested object
 * and builds a pointer only for the value it reports.
 */
export function tooDeep(value: unknown, max: number = MAX_NESTING): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ value, depth: 0, key: '', parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth >= max) return pointer(frame);
    const current = frame.value as Record<string, unknown> | unknown[];
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const child = current[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, key: String(i), parent: frame });
      }
    } else {
      for (const key in current) {
        if (!Object.hasOwn(current, key)) continue;
        const child = current[key];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
      }
    }
  }
  return undefined;
}

function pointer(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(escapePointer(f.key));
  return keys.length === 0 ? '/' : `/${keys.reverse().join('/')}`;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
