/**
 * ajv validators compiled once from schemas/ (the single source of truth for request
 * validation, the generated TypeScript types and the CRD).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { CustomizeRequest, CustomizeResponse, SyncRequest, SyncResponse } from './generated/hooks.js';
import type { EnvironmentSpec } from './generated/environment.js';
import type { Rollout, Secret } from './generated/kubernetes.js';

// ajv-formats is CommonJS: under NodeNext its default export may arrive wrapped.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;

const SCHEMA_DIR = new URL('../schemas/', import.meta.url);
/** Base of the schemas' `$id`s: `${SCHEMA_BASE}hooks.schema.json#/$defs/SyncRequest` names a definition. */
export const SCHEMA_BASE = 'https://environment-sync.kuberik.com/schemas/';
export const SCHEMA_FILES = ['environment', 'kubernetes', 'hooks'] as const;

export interface FieldProblem {
  field: string;
  problem: string;
}

export type Validator<T> = ((value: unknown) => value is T) & { problems(value: unknown): FieldProblem[] };

export function loadSchema(name: (typeof SCHEMA_FILES)[number]): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.schema.json`, SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
}

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  for (const keyword of ['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields']) {
    ajv.addKeyword({ keyword, schemaType: ['string', 'array', 'boolean'] });
  }
  for (const name of SCHEMA_FILES) ajv.addSchema(loadSchema(name));
  return ajv;
}

let shared: Ajv2020 | undefined;

/** One ajv instance per process holding every schema of schemas/; each compiled validator is kept by ajv. */
export function sharedAjv(): Ajv2020 {
  shared ??= createAjv();
  return shared;
}

function validator<T>(ref: string): Validator<T> {
  const compiled = sharedAjv().compile<T>({ $ref: `${SCHEMA_BASE}${ref}` });
  const fn = ((value: unknown) => compiled(value)) as Validator<T>;
  fn.problems = (value: unknown) => (compiled(value) ? [] : describeErrors(compiled.errors ?? []));
  return fn;
}

/** One problem per field, in a stable order, naming the field by JSON pointer. */
export function describeErrors(errors: readonly ErrorObject[]): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const e of errors) {
    let field = e.instancePath || '/';
    if (e.keyword === 'required') field = `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') field = `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
    let problem = e.message ?? e.keyword;
    if (e.keyword === 'enum' || e.keyword === 'const') {
      const allowed = (e.params as { allowedValues?: unknown[]; allowedValue?: unknown }).allowedValues ?? [
        (e.params as { allowedValue?: unknown }).allowedValue,
      ];
      problem = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    if (e.keyword === 'required') problem = 'is required';
    if (e.keyword === 'additionalProperties') problem = 'is not allowed';
    const key = `${field}\u0000${problem}`;
    if (seen.has(key) || e.keyword === 'allOf' || e.keyword === 'if') continue;
    seen.add(key);
    problems.push({ field, problem });
  }
  return problems;
}

export interface Validators {
  syncRequest: Validator<SyncRequest>;
  customizeRequest: Validator<CustomizeRequest>;
  syncResponse: Validator<SyncResponse>;
  customizeResponse: Validator<CustomizeResponse>;
  environmentSpec: Validator<EnvironmentSpec>;
  rollout: Validator<Rollout>;
  secret: Validator<Secret>;
}

let validators: Validators | undefined;

export function getValidators(): Validators {
  validators ??= {
    syncRequest: validator<SyncRequest>('hooks.schema.json#/$defs/SyncRequest'),
    customizeRequest: validator<CustomizeRequest>('hooks.schema.json#/$defs/CustomizeRequest'),
    syncResponse: validator<SyncResponse>('hooks.schema.json#/$defs/SyncResponse'),
    customizeResponse: validator<CustomizeResponse>('hooks.schema.json#/$defs/CustomizeResponse'),
    environmentSpec: validator<EnvironmentSpec>('environment.schema.json#/$defs/EnvironmentSpec'),
    rollout: validator<Rollout>('kubernetes.schema.json#/$defs/Rollout'),
    secret: validator<Secret>('kubernetes.schema.json#/$defs/Secret'),
  };
  return validators;
}
