/**
 * `npm run generate`: regenerates everything derived from schemas/ —
 * src/generated/*.ts (types) and manifests/crd/ (the Environment CRD).
 */
import path from 'node:path';
import { generateTypes } from './generate-types.js';
import { generateCrd } from './generate-crd.js';

export async function generate(): Promise<string[]> {
  return [...(await generateTypes()), await generateCrd()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await generate()) console.log(`wrote ${path.relative(process.cwd(), f)}`);
}
