/**
 * GitHub emulator: a faithful local stand-in for the GitHub deployments API (REST + GraphQL), used by
 * `npm run dev` and the integration tests. See ./README.md.
 */
export { GitHubEmulator } from './server.js';
export type { EmulatedApp, IssuedToken } from './apps.js';
export type {
  EmulatedDeployment,
  EmulatedStatus,
  EmulatorOptions,
  Fault,
  RecordedGraphQL,
  RecordedRequest,
  RequestCounts,
  RestStatusState,
  SeedDeployment,
  SeedStatus,
  StatusState,
} from './types.js';
export { loadGitHubGraphQLSchema } from './graphql.js';
export type { RecordedDelivery, WebhookTarget } from './webhooks.js';
export { createOpenApiAjv, requestValidator, responseValidator, restContract, type OperationId } from './contract.js';
