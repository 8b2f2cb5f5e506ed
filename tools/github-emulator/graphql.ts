/**
 * GraphQL endpoint: documents are validated with @octokit/graphql-schema's `validate` (GitHub's published
 * schema), checked for GitHub's pagination rules, priced, then executed with graphql-js over the
 * executable schema built from the same introspection JSON and the resolvers in ./graphql-resolvers.ts.
 * The parse and the validation of a document depend on its text alone, so both are kept for the most
 * recently used texts: a client that repeats its query pays for them once.
 */
import {
  buildClientSchema,
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isObjectType,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from 'graphql';
import { analyzeOperation } from './graphql-analysis.js';
import { GitHubGraphQLError, resolvers, type GraphQLContext, type RateLimitView } from './graphql-resolvers.js';
import { LRUCache } from 'lru-cache';

interface GitHubSchema {
  /** `validate` of @octokit/graphql-schema: GitHub's published schema. */
  validate: (query: string) => readonly GraphQLError[];
  /** Executable schema built from the same introspection JSON. */
  schema: GraphQLSchema;
}

let loading: Promise<GitHubSchema> | undefined;
let loaded: GitHubSchema | undefined;

/**
 * Loads @octokit/graphql-schema (≈0.7 s: it parses a 5 MB introspection file and builds the schema)
 * on first use, once per process, so REST-only users of the emulator do not pay for it.
 */
export function loadGitHubGraphQLSchema(): Promise<GitHubSchema> {
  loading ??= import('@octokit/graphql-schema').then((m) => {
    loaded = { validate: m.validate, schema: withResolvers(buildClientSchema(m.schema.json as IntrospectionQuery)) };
    return loaded;
  });
  return loading;
}

/** The emulated fields resolve directly; any other field goes through `fieldResolver`. */
function withResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const [typeName, fieldResolvers] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`the emulator resolves fields of ${typeName}, which is not an object type of GitHub's schema`);
    const fields = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fieldResolvers)) {
      const field = fields[fieldName];
      if (!field) throw new Error(`the emulator resolves ${typeName}.${fieldName}, which GitHub's schema does not have`);
      field.resolve = resolve;
    }
  }
  return schema;
}

function githubGraphQLSchema(): GraphQLSchema {
  if (!loaded) throw new Error('GitHub GraphQL schema not loaded yet');
  return loaded.schema;
}

export interface GraphQLResponseError {
  type?: string;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
  message: string;
}

export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLResponseError[];
}

/** What is known about a request before it is authorised and executed. */
export interface PreparedGraphQL {
  query?: string;
  variables: Record<string, unknown>;
  operationName?: string;
  document?: DocumentNode;
  operation?: OperationDefinitionNode;
  mutation: boolean;
  /** Set when the request can be answered without execution (malformed, unparsable). */
  early?: GraphQLResponseBody;
}

type ParsedText = { document: DocumentNode } | { syntaxError: GraphQLResponseError };

export const PARSED_DOCUMENTS_LIMIT = 256;
/** By exact query text. Exported for tests of the bound. */
export const parsedDocuments = new LRUCache<string, ParsedText>({ max: PARSED_DOCUMENTS_LIMIT });
/** Errors of validation against GitHub's schema, per parsed document (so per text while it is cached). */
const validationErrors = new WeakMap<DocumentNode, readonly GraphQLResponseError[]>();

function parseText(query: string): ParsedText {
  let parsed = parsedDocuments.get(query);
  if (!parsed) {
    try {
      parsed = { document: parse(query) };
    } catch (e) {
      parsed = { syntaxError: formatValidationError(e instanceof GraphQLError ? e : new GraphQLError(String(e))) };
    }
    parsedDocuments.set(query, parsed);
  }
  return parsed;
}

export function prepareGraphQL(body: unknown): PreparedGraphQL {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const variables = typeof b.variables === 'object' && b.variables !== null ? (b.variables as Record<string, unknown>) : {};
  const requestedName = typeof b.operationName === 'string' && b.operationName ? b.operationName : undefined;
  if (typeof b.query !== 'string' || b.query.trim() === '') {
    return { variables, mutation: false, early: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] } };
  }
  const parsed = parseText(b.query);
  if ('syntaxError' in parsed) return { query: b.query, variables, mutation: false, early: { errors: [parsed.syntaxError] } };
  const { document } = parsed;
  const operation = getOperationAST(document, requestedName) ?? undefined;
  const operationName = operation?.name?.value ?? requestedName;
  return {
    query: b.query,
    variables,
    document,
    mutation: operation?.operation === OperationTypeNode.MUTATION,
    ...(operation ? { operation } : {}),
    ...(operationName ? { operationName } : {}),
  };
}

function formatValidationError(e: GraphQLError): GraphQLResponseError {
  return { message: e.message, ...(e.locations ? { locations: e.locations } : {}) };
}

function formatExecutionError(e: GraphQLError): GraphQLResponseError {
  const original = e.originalError;
  const type = original instanceof GitHubGraphQLError ? original.type : undefined;
  return {
    ...(type ? { type } : {}),
    ...(e.path ? { path: e.path } : {}),
    ...(e.locations ? { locations: e.locations } : {}),
    message: e.message,
  };
}

/** Static checks that happen before the rate limit is charged. */
export interface GraphQLPlan {
  cost: number;
  nodeCount: number;
  dryRun: boolean;
  /** Set when the request is rejected before execution (validation, pagination rules). */
  rejected?: GraphQLResponseBody;
}

export async function planGraphQL(prepared: PreparedGraphQL): Promise<GraphQLPlan> {
  if (prepared.early) return { cost: 1, nodeCount: 0, dryRun: false, rejected: prepared.early };
  const errors = await validateAgainstGitHub(prepared.query!, prepared.document!);
  if (errors.length > 0) return { cost: 1, nodeCount: 0, dryRun: false, rejected: { errors: [...errors] } };
  if (!prepared.operation) return { cost: 1, nodeCount: 0, dryRun: false }; // execute() reports the ambiguity
  const variables = coercedVariables(prepared);
  if (!variables) return { cost: 1, nodeCount: 0, dryRun: false };
  const analysis = analyzeOperation(githubGraphQLSchema(), prepared.document!, prepared.operation, variables);
  if (analysis.errors.length > 0) return { cost: 1, nodeCount: 0, dryRun: false, rejected: { errors: analysis.errors } };
  return { cost: analysis.cost, nodeCount: analysis.nodeCount, dryRun: analysis.dryRun };
}

async function validateAgainstGitHub(query: string, document: DocumentNode): Promise<readonly GraphQLResponseError[]> {
  const known = validationErrors.get(document);
  if (known) return known;
  const github = await loadGitHubGraphQLSchema();
  const problems = github.validate(query);
  // @octokit/graphql-schema validates a graphql-tag document without source locations; the same rules over
  // the same schema on our own parse give the positions GitHub reports.
  const located = problems.length > 0 ? validate(githubGraphQLSchema(), document) : [];
  const errors = problems.map((p, i) => {
    const twin = located[i]?.message === p.message ? located[i] : undefined;
    return formatValidationError(twin ?? p);
  });
  validationErrors.set(document, errors);
  return errors;
}

/** Variables coerced as execution will see them; undefined when invalid (execution then reports why). */
function coercedVariables(prepared: PreparedGraphQL): Record<string, unknown> | undefined {
  const result = getVariableValues(githubGraphQLSchema(), prepared.operation?.variableDefinitions ?? [], prepared.variables);
  return 'coerced' in result ? result.coerced : undefined;
}

const fieldResolver: GraphQLFieldResolver<unknown, GraphQLContext> = (source, args, ctx, info) => {
  const typeResolvers = resolvers[info.parentType.name];
  const resolve = typeResolvers?.[info.fieldName];
  if (resolve) return resolve(source, args as Record<string, unknown>, ctx, info);
  if (!typeResolvers && typeof source === 'object' && source !== null && info.fieldName in source) {
    return (source as Record<string, unknown>)[info.fieldName];
  }
  throw new GitHubGraphQLError('NOT_EMULATED', `The GitHub emulator does not implement ${info.parentType.name}.${info.fieldName}.`);
};

const typeResolver: GraphQLTypeResolver<unknown, GraphQLContext> = (value) =>
  typeof value === 'object' && value !== null && typeof (value as { __typename?: unknown }).__typename === 'string'
    ? (value as { __typename: string }).__typename
    : undefined;

export async function executeGraphQL(
  prepared: PreparedGraphQL,
  context: Omit<GraphQLContext, 'rateLimit'>,
  rateLimit: RateLimitView,
): Promise<GraphQLResponseBody> {
  const result: ExecutionResult = await execute({
    schema: githubGraphQLSchema(),
    document: prepared.document!,
    rootValue: {},
    contextValue: { ...context, rateLimit } satisfies GraphQLContext,
    variableValues: prepared.variables,
    ...(prepared.operationName ? { operationName: prepared.operationName } : {}),
    fieldResolver,
    typeResolver,
  });
  const body: GraphQLResponseBody = {};
  if ('data' in result) body.data = result.data ?? null;
  if (result.errors?.length) body.errors = result.errors.map(formatExecutionError);
  return body;
}
