/**
 * `x-ratelimit-resource` as a metric label: any API host can put anything in a header, and
 * each distinct label value is a new time series, so only GitHub's own resource names pass.
 * The names: GitHub's "Rate limits for the REST API" docs, and the `rate-limit-overview`
 * schema of @octokit/openapi 23.0.2 (api.github.com, ghec, ghes-3.19), which adds
 * dependency_sbom and copilot_usage_records. code_scanning_upload and source_import are
 * retired by GitHub but may still come from older GitHub Enterprise Server versions.
 */
export const RATE_LIMIT_RESOURCES: ReadonlySet<string> = new Set([
  'core',
  'graphql',
  'search',
  'code_search',
  'integration_manifest',
  'source_import',
  'code_scanning_upload',
  'code_scanning_autofix',
  'actions_runner_registration',
  'scim',
  'dependency_snapshots',
  'dependency_sbom',
  'audit_log',
  'copilot_usage_records',
]);

/** The label for anything else, a missing header included. */
export const OTHER_RATE_LIMIT_RESOURCE = 'other';

export function rateLimitResource(header: string | null): string {
  return header !== null && RATE_LIMIT_RESOURCES.has(header) ? header : OTHER_RATE_LIMIT_RESOURCE;
}
