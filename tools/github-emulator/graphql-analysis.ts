/**
 * Static analysis GitHub performs before executing a GraphQL document: every connection needs `first`
 * or `last` within 1..100 (MISSING_PAGINATION_BOUNDARIES / EXCESSIVE_PAGINATION), and the query cost is
 * derived from the connection sizes ("Add up the number of requests needed to fulfill each unique
 * connection in the call. Assume every request will reach the first or last argument limits. Divide the
 * number by 100 and round ... minimum 1").
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const MAX_PAGE_SIZE = 100;

export interface AnalysisError {
  type: string;
  path: (string | number)[];
  locations: { line: number; column: number }[];
  message: string;
}

export interface Analysis {
  errors: AnalysisError[];
  /** Requests needed to fulfil every connection, each assumed to reach its first/last limit. */
  requests: number;
  nodeCount: number;
  cost: number;
  /** A root `rateLimit(dryRun: true)` was selected. */
  dryRun: boolean;
}

export function isConnectionField(field: GraphQLField<unknown, unknown>): boolean {
  const named = getNamedType(field.type);
  return named.name.endsWith('Connection') && field.args.some((a) => a.name === 'first') && field.args.some((a) => a.name === 'last');
}

function included(node: FieldNode | FragmentSpreadNode | InlineFragmentNode, variables: Record<string, unknown>): boolean {
  if (!node.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

export function analyzeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Analysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const result: Analysis = { errors: [], requests: 0, nodeCount: 0, cost: 1, dryRun: false };
  const root = operation.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getQueryType();
  if (!root) return result;

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, multiplier: number, path: ResponsePath | undefined, depth: number, seen: Set<string>) => {
    for (const sel of set.selections) {
      if (!included(sel, variables)) continue;
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (t && isCompositeType(t)) walk(sel.selectionSet, t, multiplier, path, depth, seen);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue;
        const t = schema.getType(frag.typeCondition.name.value);
        if (t && isCompositeType(t)) walk(frag.selectionSet, t, multiplier, path, depth, new Set([...seen, frag.name.value]));
        continue;
      }
      const name = sel.name.value;
      if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const fieldPath: ResponsePath = { key: sel.alias?.value ?? name, parent: path };
      let childMultiplier = multiplier;
      let args: Record<string, unknown> = {};
      if (field.args.length > 0) {
        try {
          args = getArgumentValues(field, sel, variables);
        } catch {
          continue; // reported by execution
        }
      }
      if (depth === 0 && name === 'rateLimit' && args.dryRun === true) result.dryRun = true;
      if (isConnectionField(field)) {
        const problem = paginationProblem(name, args);
        if (problem) {
          result.errors.push({
            type: problem.type,
            path: pathArray(fieldPath),
            locations: sel.loc ? [locationOf(sel)] : [],
            message: problem.message,
          });
          continue;
        }
        const first = typeof args.first === 'number' ? args.first : undefined;
        const last = typeof args.last === 'number' ? args.last : undefined;
        const limit = Math.min(first ?? MAX_PAGE_SIZE, last ?? MAX_PAGE_SIZE);
        result.requests += multiplier;
        result.nodeCount += multiplier * limit;
        childMultiplier = multiplier * Math.max(limit, 1);
      }
      const type = getNamedType(field.type);
      if (sel.selectionSet && isCompositeType(type)) walk(sel.selectionSet, type, childMultiplier, fieldPath, depth + 1, seen);
    }
  };
  walk(operation.selectionSet, root, 1, undefined, 0, new Set());
  result.cost = Math.max(1, Math.round(result.requests / 100));
  return result;
}

/** Response keys from the root, linked from the leaf: arrays are built only for the errors that report them. */
interface ResponsePath {
  key: string;
  parent: ResponsePath | undefined;
}

function pathArray(path: ResponsePath): string[] {
  const keys: string[] = [];
  for (let p: ResponsePath | undefined = path; p; p = p.parent) keys.unshift(p.key);
  return keys;
}

function locationOf(node: FieldNode): { line: number; column: number } {
  const loc = node.loc!;
  const body = loc.source.body.slice(0, loc.start);
  const lines = body.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

export function paginationProblem(connection: string, args: Record<string, unknown>): { type: string; message: string } | undefined {
  const first = args.first;
  const last = args.last;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    return {
      type: 'MISSING_PAGINATION_BOUNDARIES',
      message: `You must provide a \`first\` or \`last\` value to properly paginate the \`${connection}\` connection.`,
    };
  }
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (typeof value !== 'number') continue;
    if (value > MAX_PAGE_SIZE) {
      return {
        type: 'EXCESSIVE_PAGINATION',
        message: `Requesting ${value} records on the \`${connection}\` connection exceeds the \`${name}\` limit of ${MAX_PAGE_SIZE} records.`,
      };
    }
    if (value < 0) {
      return { type: 'INVALID_PAGINATION', message: `\`${name}\` on the \`${connection}\` connection cannot be less than zero.` };
    }
  }
  return undefined;
}
