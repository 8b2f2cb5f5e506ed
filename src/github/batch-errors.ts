/**
 * Errors of a batched ledger query, pinned to the repository they concern by their `path`.
 * GitHub answers a query whose repository is missing, or whose deployment was deleted after
 * it was listed, with the rest of the data and an error naming the field: one repository's
 * problem need not fail every application of the query, and a deleted deployment is no
 * problem of its repository at all.
 */
import { repositoryAlias, statusAlias } from './ledger-query.js';

/** An entry of a GraphQL response's `errors`, as GitHub sends it. */
export interface GraphQLErrorEntry {
  type?: string;
  message?: string;
  path?: readonly (string | number)[];
}

export interface PinnedErrors {
  /** By part index: the errors of that repository's fields (its read fails with them). */
  failed: Map<number, GraphQLErrorEntry[]>;
  /** By part index: deployments GitHub no longer finds (deleted since they were listed). */
  deleted: Map<number, string[]>;
}

/**
 * Pins each error to its part (`statusPages[k]` lists part k's status lookups, in order), or
 * undefined when one of them concerns the whole query (a rate limit, an error without a path):
 * then the query fails as a whole.
 */
export function pinErrors(errors: readonly GraphQLErrorEntry[], statusPages: readonly (readonly { deploymentId: string }[])[]): PinnedErrors | undefined {
  const pinned: PinnedErrors = { failed: new Map(), deleted: new Map() };
  for (const error of errors) {
    const field = error.path?.[0];
    if (typeof field !== 'string' || error.type === 'RATE_LIMITED' || error.type === 'RATE_LIMIT') return undefined;
    const part = partOf(field, statusPages);
    if (!part) return undefined;
    if (part.deploymentId !== undefined && error.type === 'NOT_FOUND') {
      pinned.deleted.set(part.k, [...(pinned.deleted.get(part.k) ?? []), part.deploymentId]);
    } else {
      pinned.failed.set(part.k, [...(pinned.failed.get(part.k) ?? []), error]);
    }
  }
  return pinned;
}

function partOf(field: string, statusPages: readonly (readonly { deploymentId: string }[])[]): { k: number; deploymentId?: string } | undefined {
  for (let k = 0; k < statusPages.length; k++) {
    if (field === repositoryAlias(k)) return { k };
    const i = statusPages[k]!.findIndex((_, j) => field === statusAlias(k, j));
    if (i >= 0) return { k, deploymentId: statusPages[k]![i]!.deploymentId };
  }
  return undefined;
}
