/**
 * Generates src/generated/*.ts from schemas/*.schema.json. The schemas are the single
 * source of truth; test/unit/generated.test.ts fails when the committed output drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { SCHEMA_FILES } from '../src/validation.js';

export { SCHEMA_FILES };

export const SCHEMA_DIR = path.resolve(import.meta.dirname, '..', 'schemas');
export const TYPES_DIR = path.resolve(import.meta.dirname, '..', 'src', 'generated');

export async function renderTypes(name: (typeof SCHEMA_FILES)[number]): Promise<string> {
  const schema = JSON.parse(await readFile(path.join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as Parameters<typeof compile>[0] & { title: string };
  // Schemas holding only $defs still need every definition emitted.
  const withAll = { ...schema, tsType: undefined };
  const ts = await compile(withAll, schema.title, {
    cwd: SCHEMA_DIR,
    bannerComment: `/* Generated from schemas/${name}.schema.json by \`npm run generate\`. Do not edit. */`,
    additionalProperties: false,
    unreachableDefinitions: true,
    style: { singleQuote: true, printWidth: 100 },
    declareExternallyReferenced: true,
    $refOptions: { resolve: { external: true } },
  });
  return ts;
}

export async function generateTypes(): Promise<string[]> {
  const written: string[] = [];
  for (const name of SCHEMA_FILES) {
    const file = path.join(TYPES_DIR, `${name}.ts`);
    await writeFile(file, await renderTypes(name));
    written.push(file);
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await generateTypes()) console.log(`wrote ${path.relative(process.cwd(), f)}`);
}
