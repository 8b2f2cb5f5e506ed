/**
 * The REST contract (request-body and success-response schemas from @octokit/openapi, extracted into
 * rest-contract.json by scripts/extract-rest-contract.ts) and ajv validators for it.
 *
 * The schemas are OpenAPI 3.0: `nullable` is understood by ajv natively; `format: int64`/`int32` are
 * added here. `format: uri` also accepts "" because GitHub itself sends "" for unset URLs
 * (target_url, log_url, environment_url), contrary to its published schema.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';
import contractJson from './rest-contract.json' with { type: 'json' };

// ajv-formats is CommonJS: under NodeNext its default export may arrive wrapped.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;

export type JsonSchema = boolean | Record<string, unknown>;

export interface ContractOperation {
  method: string;
  path: string;
  documentation_url: string | null;
  parameters: { name: string; in: string; required: boolean; schema: JsonSchema | null }[];
  request_body: JsonSchema | null;
  response: { status: number; schema: JsonSchema | null };
}

export interface RestContract {
  source: { package: string; version: string; file: string };
  operations: Record<string, ContractOperation>;
}

export const restContract = contractJson as unknown as RestContract;

export type OperationId =
  | 'repos/list-deployments'
  | 'repos/create-deployment'
  | 'repos/get-deployment'
  | 'repos/delete-deployment'
  | 'repos/list-deployment-statuses'
  | 'repos/create-deployment-status'
  | 'repos/get-deployment-status'
  | 'apps/create-installation-access-token';

export function operation(id: OperationId): ContractOperation {
  const op = restContract.operations[id];
  if (!op) throw new Error(`rest-contract.json lacks ${id}; run scripts/extract-rest-contract.ts`);
  return op;
}

export function documentationUrl(id: OperationId): string {
  return operation(id).documentation_url ?? 'https://docs.github.com/rest';
}

/** Default of a query parameter as published (e.g. per_page → 30). */
export function parameterDefault(id: OperationId, name: string): unknown {
  const schema = operation(id).parameters.find((p) => p.name === name)?.schema;
  return schema && typeof schema === 'object' ? schema.default : undefined;
}

/** An ajv instance that understands GitHub's OpenAPI 3.0 schemas. */
export function createOpenApiAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  addFormats(ajv);
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('uri', (s: string) => s === '' || URL.canParse(s));
  return ajv;
}

let sharedAjv: Ajv | undefined;
const requestValidators = new Map<OperationId, ValidateFunction>();
const responseValidators = new Map<OperationId, ValidateFunction>();

function compile(cache: Map<OperationId, ValidateFunction>, id: OperationId, schema: JsonSchema | null): ValidateFunction {
  let v = cache.get(id);
  if (!v) {
    sharedAjv ??= createOpenApiAjv();
    v = sharedAjv.compile(schema ?? true);
    cache.set(id, v);
  }
  return v;
}

export function requestValidator(id: OperationId): ValidateFunction {
  return compile(requestValidators, id, operation(id).request_body);
}

export function responseValidator(id: OperationId): ValidateFunction {
  return compile(responseValidators, id, operation(id).response.schema);
}

function pointer(instancePath: string): string {
  if (!instancePath) return 'root';
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => (/^\d+$/.test(seg) ? 'items' : `properties/${seg}`))
    .join('/');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeTypes(schema: unknown): string {
  const branches = schema && typeof schema === 'object' && Array.isArray((schema as { oneOf?: unknown }).oneOf) ? (schema as { oneOf: unknown[] }).oneOf : [];
  const types = branches.map((b) =>
    b && typeof b === 'object' && typeof (b as { type?: unknown }).type === 'string' ? (b as { type: string }).type : 'value',
  );
  return types.map(article).join(' or ');
}

/**
 * Request-body validation problems phrased like GitHub's JSON-schema errors, e.g.
 * `"ref" wasn't supplied.` or `For 'properties/ref', 123 is not a string.`
 */
export function requestProblems(id: OperationId, body: unknown): string[] {
  const validate = requestValidator(id);
  if (validate(body)) return [];
  const errors: ErrorObject[] = validate.errors ?? [];
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const problems: string[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
    const where = pointer(e.instancePath);
    const value = JSON.stringify(e.data);
    switch (e.keyword) {
      case 'required':
        problems.push(`"${(e.params as { missingProperty: string }).missingProperty}" wasn't supplied.`);
        break;
      case 'type':
        problems.push(`For '${where}', ${value} is not ${article(String((e.params as { type: string }).type))}.`);
        break;
      case 'enum':
        problems.push(`For '${where}', ${value} is not one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}.`);
        break;
      case 'oneOf':
        problems.push(`For '${where}', ${value} is not ${describeTypes(e.parentSchema)}.`);
        break;
      default:
        problems.push(`For '${where}', ${value} ${e.message ?? 'is invalid'}.`);
    }
  }
  return [...new Set(problems)];
}
