/**
 * Extracts the REST contract of the operations the GitHub emulator implements from @octokit/openapi's
 * dereferenced api.github.com description into tools/github-emulator/rest-contract.json (loading the
 * 73 MB source at emulator start is too slow). test/emulator/rest-contract.test.ts fails when the
 * committed file drifts from what this script produces.
 *
 *   npx tsx scripts/extract-rest-contract.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_PACKAGE_DIR = path.join(ROOT, 'node_modules', '@octokit', 'openapi');
export const DEREF_FILE = 'generated/api.github.com.deref.json';
export const CONTRACT_FILE = path.join(ROOT, 'tools', 'github-emulator', 'rest-contract.json');

/** The operations the emulator serves. */
export const CONTRACT_OPERATIONS = [
  'repos/list-deployments',
  'repos/create-deployment',
  'repos/get-deployment',
  'repos/delete-deployment',
  'repos/list-deployment-statuses',
  'repos/create-deployment-status',
  'repos/get-deployment-status',
  'apps/create-installation-access-token',
] as const;
export type ContractOperationId = (typeof CONTRACT_OPERATIONS)[number];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface ContractOperation {
  method: string;
  path: string;
  documentation_url: string | null;
  parameters: { name: string; in: string; required: boolean; schema: Json }[];
  /** JSON schema of the application/json request body, or null when the operation takes none. */
  request_body: Json;
  response: { status: number; schema: Json };
}

export interface RestContract {
  source: { package: string; version: string; file: string };
  operations: Record<string, ContractOperation>;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keeps a schema's validation keywords and descriptions; drops examples and vendor extensions; sorts keys for a stable file. */
function cleanSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const key of Object.keys(schema).sort()) {
    const value = schema[key]!;
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue; // x-*: GitHub's annotations, not validation
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((p) => [p, cleanSchema(value[p]!)]),
      );
    } else if (key === 'enum' || key === 'required' || key === 'default' || key === 'const') {
      out[key] = value; // data, not sub-schemas
    } else {
      out[key] = cleanSchema(value);
    }
  }
  return out;
}

export function extractRestContract(spec: unknown, version: string): RestContract {
  if (!isObject(spec) || !isObject(spec.paths)) throw new Error('not an OpenAPI document');
  const operations: Record<string, ContractOperation> = {};
  for (const [opPath, item] of Object.entries(spec.paths)) {
    if (!isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || typeof op.operationId !== 'string') continue;
      if (!(CONTRACT_OPERATIONS as readonly string[]).includes(op.operationId)) continue;
      const responses = isObject(op.responses) ? op.responses : {};
      const success = Object.keys(responses)
        .filter((s) => /^2\d\d$/.test(s))
        .sort()[0];
      if (!success) throw new Error(`${op.operationId}: no success response`);
      const successResponse = responses[success];
      const responseSchema = isObject(successResponse) ? jsonContentSchema(successResponse) : null;
      const parameters = (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject).map((p) => ({
        name: p.name as string,
        in: p.in as string,
        required: p.required === true,
        schema: cleanSchema(p.schema ?? null),
      }));
      operations[op.operationId] = {
        method: method.toUpperCase(),
        path: opPath,
        documentation_url: isObject(op.externalDocs) && typeof op.externalDocs.url === 'string' ? op.externalDocs.url : null,
        parameters,
        request_body: isObject(op.requestBody) ? cleanSchema(jsonContentSchema(op.requestBody)) : null,
        response: { status: Number(success), schema: cleanSchema(responseSchema) },
      };
    }
  }
  const missing = CONTRACT_OPERATIONS.filter((id) => !operations[id]);
  if (missing.length) throw new Error(`operations missing from the OpenAPI description: ${missing.join(', ')}`);
  const sorted = Object.fromEntries(CONTRACT_OPERATIONS.map((id) => [id, operations[id]!]));
  return { source: { package: '@octokit/openapi', version, file: DEREF_FILE }, operations: sorted };
}

function jsonContentSchema(container: JsonObject): Json {
  const content = container.content;
  if (!isObject(content)) return null;
  const json = content['application/json'];
  return isObject(json) && json.schema !== undefined ? json.schema : null;
}

export function renderRestContract(contract: RestContract): string {
  return `${JSON.stringify(contract, null, 2)}\n`;
}

/** Reads the installed @octokit/openapi and returns the file content the contract should have. */
export async function buildRestContract(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(OPENAPI_PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  const spec: unknown = JSON.parse(await readFile(path.join(OPENAPI_PACKAGE_DIR, DEREF_FILE), 'utf8'));
  return renderRestContract(extractRestContract(spec, pkg.version));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(CONTRACT_FILE, await buildRestContract());
  console.log(`wrote ${path.relative(process.cwd(), CONTRACT_FILE)}`);
}
