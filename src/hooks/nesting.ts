/**
 * Depth guard for hook bodies. JSON.parse copes with very deep nesting, but every later
 * step that walks the value recursively (validation, comparisons, response serialisation)
 * would overflow the stack; no Kubernetes object Metacontroller sends comes near the limit.
 */
export const MAX_NESTING = 100;

/** JSON pointer of the first value nested deeper than `max` levels, or undefined. Iterative on purpose. */
export function tooDeep(value: unknown, max: number = MAX_NESTING): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return path || '/';
    const entries = Array.isArray(current) ? current.map((v, i) => [String(i), v] as const) : Object.entries(current);
    for (const [key, child] of entries) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: `${path}/${escapePointer(key)}`, depth: depth + 1 });
    }
  }
  return undefined;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
