/**
 * Generates manifests/crd/environments.kuberik.com_environments.yaml from
 * schemas/environment.schema.json. The JSON Schema is the single source of truth for the
 * Environment API (types, request validation and the CRD); test/unit/generated.test.ts
 * fails when the committed CRD drifts from `renderCrd()`.
 *
 * Kubernetes accepts only *structural* OpenAPI v3 schemas in a CRD, so the JSON Schema
 * (2020-12) is converted: `$ref`s are inlined, JSON-Schema-only keywords are translated
 * (`const` → single-value `enum`, numeric `exclusiveMinimum` → `minimum` + boolean, ...)
 * or dropped when they only annotate (`title`, `$comment`, ...). A keyword with no
 * structural equivalent fails generation instead of being silently lost.
 *
 * Also exports `crdValidator()`, which validates objects against any CRD's
 * openAPIV3Schema with ajv (used by the tests to check our CRD, the reference CRDs and
 * the sample manifests).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import YAML from 'yaml';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const ENVIRONMENT_SCHEMA_FILE = path.join(REPO_ROOT, 'schemas', 'environment.schema.json');
export const CRD_FILE = path.join(REPO_ROOT, 'manifests', 'crd', 'environments.kuberik.com_environments.yaml');

export const GROUP = 'environments.kuberik.com';
export const VERSION = 'v1alpha1';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  priority?: number;
}

/** `kubectl get environments` columns; priority 1 shows only with `-o wide`. */
export const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Application', type: 'string', jsonPath: '.status.application' },
  { name: 'Environment', type: 'string', jsonPath: '.status.environment' },
  { name: 'Upstream', type: 'string', jsonPath: '.spec.relationship.environment' },
  { name: 'Relationship', type: 'string', jsonPath: '.spec.relationship.type', priority: 1 },
  { name: 'Version', type: 'string', jsonPath: '.status.currentTag' },
  { name: 'Revision', type: 'string', jsonPath: '.status.currentVersion', priority: 1 },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  {
    name: 'Reason',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
    priority: 1,
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export type Schema = { [keyword: string]: unknown };

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function asSchema(v: unknown, at: string): Schema {
  if (!isSchema(v)) throw new Error(`${at}: expected a schema object`);
  return v;
}

/** Annotation-only JSON Schema keywords: no meaning for the API server. */
const DROPPED = new Set(['$schema', '$id', '$defs', 'definitions', '$anchor', '$comment', 'title', 'readOnly', 'writeOnly', 'deprecated', 'tsType']);

/** Keywords that mean the same in JSON Schema 2020-12 and in a CRD's OpenAPI v3 schema. */
const PASSED = new Set([
  'description',
  'format',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'enum',
  'nullable',
  'example',
  'externalDocs',
]);

/** Inside allOf/anyOf/oneOf/not a structural schema may only carry value validations. */
const FORBIDDEN_IN_JUNCTOR = new Set([
  'type',
  'default',
  'nullable',
  'additionalProperties',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
]);

interface Context {
  defs: Schema;
  /** $refs being expanded, to reject recursive schemas (not expressible in a CRD). */
  expanding: string[];
  inJunctor: boolean;
}

function resolveRef(ref: unknown, ctx: Context, at: string): { name: string; schema: Schema } {
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) {
    throw new Error(`${at}: only local "#/$defs/..." references can be inlined, got ${String(ref)}`);
  }
  const name = ref.slice('#/$defs/'.length);
  if (ctx.expanding.includes(name)) {
    throw new Error(`${at}: recursive reference to ${name} cannot be expressed in a CRD`);
  }
  const schema = ctx.defs[name];
  if (!isSchema(schema)) throw new Error(`${at}: unresolved reference ${ref}`);
  return { name, schema };
}

/** `type: ["string", "null"]` → `type: string, nullable: true`. */
function convertType(type: unknown, out: Schema, at: string): void {
  if (typeof type === 'string') {
    out.type = type;
    return;
  }
  if (!Array.isArray(type)) throw new Error(`${at}: invalid type ${JSON.stringify(type)}`);
  const nonNull = type.filter((t) => t !== 'null');
  if (nonNull.length !== type.length) out.nullable = true;
  if (nonNull.length === 1) {
    out.type = nonNull[0];
  } else if (nonNull.length === 2 && nonNull.includes('integer') && nonNull.includes('string')) {
    out['x-kubernetes-int-or-string'] = true;
  } else {
    throw new Error(`${at}: type ${JSON.stringify(type)} has no structural equivalent`);
  }
}

function convert(input: Schema, ctx: Context, at: string): Schema {
  let schema = input;
  let inner: Context = ctx;
  if ('$ref' in schema) {
    // Sibling keywords of a $ref (typically a more specific description) win over the
    // referenced definition's own.
    const { name, schema: target } = resolveRef(schema.$ref, ctx, at);
    const { $ref: _ref, ...siblings } = schema;
    schema = { ...target, ...siblings };
    inner = { ...ctx, expanding: [...ctx.expanding, name] };
  }

  const out: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    const here = `${at}.${keyword}`;
    if (DROPPED.has(keyword)) continue;
    if (ctx.inJunctor && FORBIDDEN_IN_JUNCTOR.has(keyword)) {
      throw new Error(`${here}: not allowed inside allOf/anyOf/oneOf/not of a structural schema`);
    }
    if (ctx.inJunctor && (keyword === 'description' || keyword === 'example')) continue;
    if (PASSED.has(keyword) || keyword.startsWith('x-kubernetes-')) {
      out[keyword] = value;
      continue;
    }
    switch (keyword) {
      case 'type':
        convertType(value, out, here);
        break;
      case 'const':
        out.enum = [value];
        break;
      case 'examples':
        if (Array.isArray(value) && value.length > 0 && !ctx.inJunctor) out.example = value[0];
        break;
      case 'default':
        // Kubernetes 1.20 rejects `default: ""` ("default: Invalid value: \"null\""), and an
        // empty/null default means the same as no default for every consumer.
        if (value !== '' && value !== null) out.default = value;
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        // 2020-12: a number; OpenAPI v3.0: a boolean qualifying minimum/maximum.
        const bound = keyword === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        if (typeof value === 'boolean') {
          out[keyword] = value;
        } else if (typeof value === 'number') {
          out[bound] = value;
          out[keyword] = true;
        } else {
          throw new Error(`${here}: expected a number`);
        }
        break;
      }
      case 'uniqueItems':
        // Forbidden as `true` in CRDs (quadratic); a list of scalars can say "set" instead.
        if (value === true && !('x-kubernetes-list-type' in schema)) {
          const items = isSchema(schema.items) ? schema.items : undefined;
          const itemType = items?.type;
          if (typeof itemType === 'string' && !['object', 'array'].includes(itemType)) {
            out['x-kubernetes-list-type'] = 'set';
          }
        }
        break;
      case 'required':
        if (!Array.isArray(value)) throw new Error(`${here}: expected an array`);
        out.required = [...new Set(value as string[])].sort();
        break;
      case 'properties': {
        const props: Schema = {};
        for (const [name, sub] of Object.entries(asSchema(value, here))) {
          props[name] = convert(asSchema(sub, `${here}.${name}`), inner, `${here}.${name}`);
        }
        out.properties = props;
        break;
      }
      case 'items':
        if (Array.isArray(value)) throw new Error(`${here}: tuple items are not supported`);
        out.items = convert(asSchema(value, here), inner, here);
        break;
      case 'additionalProperties':
        if (value === false) {
          // Unknown fields are pruned by the API server anyway; `false` is forbidden.
        } else if (value === true) {
          out['x-kubernetes-preserve-unknown-fields'] = true;
        } else {
          out.additionalProperties = convert(asSchema(value, here), inner, here);
        }
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (!Array.isArray(value)) throw new Error(`${here}: expected an array`);
        out[keyword] = value.map((sub, i) => convert(asSchema(sub, `${here}[${i}]`), { ...inner, inJunctor: true }, `${here}[${i}]`));
        break;
      case 'not':
        out.not = convert(asSchema(value, here), { ...inner, inJunctor: true }, here);
        break;
      default:
        throw new Error(`${here}: JSON Schema keyword "${keyword}" has no structural-schema equivalent`);
    }
  }
  if ('properties' in out && 'additionalProperties' in out) {
    throw new Error(`${at}: properties and additionalProperties are mutually exclusive in a CRD`);
  }
  return out;
}

/** Every node below the root must have a type (structural schema rule). */
function checkStructural(schema: Schema, at: string): void {
  const typed = typeof schema.type === 'string' || schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!typed) throw new Error(`${at}: a structural schema needs a type here`);
  if (isSchema(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      checkStructural(asSchema(sub, `${at}.${name}`), `${at}.${name}`);
    }
  }
  if (isSchema(schema.items)) checkStructural(schema.items, `${at}[]`);
  if (isSchema(schema.additionalProperties)) checkStructural(schema.additionalProperties, `${at}{}`);
}

/** The JSON Schema, converted into a CRD `openAPIV3Schema`. */
export function toOpenApiV3Schema(jsonSchema: Schema): Schema {
  const defs = isSchema(jsonSchema.$defs) ? jsonSchema.$defs : {};
  const schema = convert(jsonSchema, { defs, expanding: [], inJunctor: false }, '$');
  // The API server owns ObjectMeta's schema: Kubernetes 1.20 rejects a root `metadata` with
  // anything but `type` ("must not specify anything other than name and generateName").
  if (isSchema(schema.properties) && isSchema(schema.properties.metadata)) schema.properties.metadata = { type: 'object' };
  checkStructural(schema, '$');
  return schema;
}

export async function buildCrd(): Promise<Schema> {
  const jsonSchema = asSchema(JSON.parse(await readFile(ENVIRONMENT_SCHEMA_FILE, 'utf8')), '$');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `environments.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: 'Environment',
        listKind: 'EnvironmentList',
        plural: 'environments',
        singular: 'environment',
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          // Metacontroller refuses a CompositeController whose parent lacks it.
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: toOpenApiV3Schema(jsonSchema) },
        },
      ],
    },
  };
}

const HEADER = [
  '# Generated by `npm run generate` from schemas/environment.schema.json. Do not edit by hand:',
  '# change the schema and regenerate (test/unit/generated.test.ts checks this file is current).',
].join('\n');

/** The CRD as YAML text; keys sorted so the output only changes when the schema does. */
export async function renderCrd(): Promise<string> {
  const body = YAML.stringify(await buildCrd(), {
    sortMapEntries: true,
    lineWidth: 0,
    indentSeq: false,
    aliasDuplicateObjects: false,
  });
  return `${HEADER}\n---\n${body}`;
}

export async function generateCrd(): Promise<string> {
  await writeFile(CRD_FILE, await renderCrd());
  return CRD_FILE;
}

// ---------------------------------------------------------------------------------------
// Validating objects against a CRD with ajv (tests).

export interface CrdValidatorOptions {
  /**
   * Reject fields the schema does not declare (like `kubectl apply`'s strict field
   * validation) instead of accepting them (the API server would prune them).
   */
  rejectUnknownFields?: boolean;
}

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

export type CrdValidator = (object: unknown) => ValidationResult;

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** Go `time.ParseDuration` syntax (what Kubernetes' `format: duration` means), e.g. `1m30s`. */
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$/;

/** Formats Kubernetes knows that ajv-formats does not; accepted without checking. */
const UNCHECKED_FORMATS = [
  'bsonobjectid',
  'cidr',
  'creditcard',
  'datetime',
  'hexcolor',
  'isbn',
  'isbn10',
  'isbn13',
  'mac',
  'rgbcolor',
  'ssn',
  'uuid3',
  'uuid4',
  'uuid5',
];

/** `x-kubernetes-list-type`: `set` items and `map` keys must be unique, as the API server checks. */
function validateListType(type: string, data: unknown, parent?: Schema): boolean {
  if (!Array.isArray(data) || (type !== 'set' && type !== 'map')) return true;
  const keys = parent?.['x-kubernetes-list-map-keys'];
  const identity = (item: unknown): string =>
    type === 'set' || !Array.isArray(keys) || !isSchema(item) ? JSON.stringify(item) : JSON.stringify(keys.map((k: string) => item[k]));
  return new Set(data.map(identity)).size === data.length;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  addFormats(ajv);
  ajv.addFormat('duration', GO_DURATION);
  for (const format of UNCHECKED_FORMATS) ajv.addFormat(format, true);
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    schemaType: 'string',
    validate: validateListType,
    errors: false,
  });
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (on: boolean, data: unknown) => !on || typeof data === 'string' || Number.isInteger(data),
    errors: false,
  });
  // Annotations for the API server (merge strategy, pruning, CEL): nothing to check here.
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys', schemaType: 'array' });
  ajv.addKeyword({ keyword: 'x-kubernetes-map-type', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'x-kubernetes-embedded-resource', schemaType: 'boolean' });
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', schemaType: 'array' });
  return ajv;
}

/** A CRD's openAPIV3Schema rewritten for ajv (draft-07 semantics). */
export function toAjvSchema(openApi: Schema, options: CrdValidatorOptions = {}): Schema {
  const walk = (schema: Schema, closeObjects: boolean): Schema => {
    const out: Schema = { ...schema };
    // OpenAPI v3.0 boolean exclusiveMinimum/Maximum → draft-07 numbers.
    for (const [exclusive, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (out[exclusive] === true) {
        out[exclusive] = out[bound];
        delete out[bound];
      } else if (out[exclusive] === false) {
        delete out[exclusive];
      }
    }
    if (out.nullable === true && out.type === undefined) delete out.nullable;
    if (isSchema(out.properties)) {
      out.properties = Object.fromEntries(
        Object.entries(out.properties).map(([name, sub]) => [
          name,
          // ObjectMeta is validated by the API server, not by the CRD schema.
          walk(asSchema(sub, name), closeObjects && !(schema === openApi && name === 'metadata')),
        ]),
      );
      const open = out['x-kubernetes-preserve-unknown-fields'] === true || out.additionalProperties !== undefined;
      if (closeObjects && !open) out.additionalProperties = false;
    }
    if (isSchema(out.items)) out.items = walk(out.items, closeObjects);
    if (isSchema(out.additionalProperties)) {
      out.additionalProperties = walk(out.additionalProperties, closeObjects);
    }
    for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
      const subs = out[junctor];
      if (Array.isArray(subs)) out[junctor] = subs.map((sub: Schema) => walk(sub, false));
    }
    if (isSchema(out.not)) out.not = walk(out.not, false);
    return out;
  };
  return walk(openApi, options.rejectUnknownFields === true);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})`
          : '';
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

/**
 * A validator for objects of the CRD (parsed YAML/JSON): checks `apiVersion`/`kind`
 * against the CRD's group, served versions and kind, then the version's openAPIV3Schema.
 */
export function crdValidator(crd: unknown, options: CrdValidatorOptions = {}): CrdValidator {
  const spec = asSchema(asSchema(crd, 'crd').spec, 'crd.spec');
  const group = String(spec.group);
  const kind = String(asSchema(spec.names, 'crd.spec.names').kind);
  const versions = (spec.versions as Schema[]).filter((v) => v.served === true);
  const ajv = newAjv();
  const byVersion = new Map<string, ValidateFunction>(
    versions.map((v) => {
      const openApi = asSchema(asSchema(v.schema, 'schema').openAPIV3Schema, 'openAPIV3Schema');
      return [`${group}/${String(v.name)}`, ajv.compile(toAjvSchema(openApi, options))];
    }),
  );
  return (object) => {
    if (!isSchema(object)) return { valid: false, errors: ['/ must be an object'] };
    const validate = byVersion.get(String(object.apiVersion));
    if (!validate) {
      return {
        valid: false,
        errors: [`/apiVersion ${String(object.apiVersion)} is not served by this CRD`],
      };
    }
    if (object.kind !== kind) {
      return { valid: false, errors: [`/kind must be ${kind}, got ${String(object.kind)}`] };
    }
    const valid = validate(object);
    return { valid, errors: valid ? [] : formatErrors(validate.errors) };
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`wrote ${path.relative(process.cwd(), await generateCrd())}`);
}
