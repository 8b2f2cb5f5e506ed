/** GitHub's view after this sync's successful writes, without reading it again. */
import { decodePayload } from './payload.js';
import type { PlannedWrite } from './plan.js';
import type { Ledger, LedgerDeployment, LedgerStatus } from './types.js';

export type WriteResult =
  | {
      write: Extract<PlannedWrite, { kind: 'createDeployment' }>;
      deployment: { nodeId: string; createdAt: string };
      /** Absent when the deployment was created but its first status failed. */
      status?: LedgerStatus;
    }
  | { write: Extract<PlannedWrite, { kind: 'postStatus' }>; status: LedgerStatus };

export function applyWrites(ledger: Ledger, environment: string, results: readonly WriteResult[]): Ledger {
  if (results.length === 0) return ledger;
  const deployments = new Map(ledger.deployments.map((d) => [d.nodeId, d]));
  for (const result of results) {
    if (result.write.kind === 'createDeployment' && 'deployment' in result) {
      const payload = decodePayload(result.write.body.payload);
      if (!payload) continue;
      const created: LedgerDeployment = {
        nodeId: result.deployment.nodeId,
        environment,
        payload,
        createdAt: result.deployment.createdAt,
        description: result.write.body.description,
        statuses: result.status ? [result.status] : [],
      };
      deployments.set(created.nodeId, created);
    } else if (result.write.kind === 'postStatus' && result.status) {
      const existing = deployments.get(result.write.deploymentId);
      if (existing) deployments.set(existing.nodeId, { ...existing, statuses: [result.status, ...existing.statuses] });
    }
  }
  const environments = ledger.environments.includes(environment) ? ledger.environments : [...ledger.environments, environment].sort();
  return { environments, deployments: [...deployments.values()] };
}
