/**
 * `?dryRun=true`: the writes a sync or finalize would make, described for people, and
 * the results they would have so the desired state can be shown as after them. Pure.
 */
import type { GitHubWrite } from '../generated/hooks.js';
import type { WriteResult } from './apply-writes.js';
import type { PlannedWrite, StatusWrite } from './plan.js';
import type { LedgerDeployment } from './types.js';

const STATUS_MUTATION = 'mutation createDeploymentStatus';

/** Node ids of deployments a dry run pretends to create; never sent to GitHub. */
export const DRY_RUN_NODE_ID_PREFIX = 'dry-run:';

export function describeWrites(writes: readonly PlannedWrite[], repository: string): GitHubWrite[] {
  return writes.map((write) => {
    const base = { entry: { ...write.key }, status: statusOf(write.status) };
    return write.kind === 'createDeployment'
      ? { operation: 'CreateDeployment', request: `POST /repos/${repository}/deployments`, ...base, body: { ...write.body } }
      : { operation: 'PostDeploymentStatus', request: STATUS_MUTATION, ...base, deploymentId: write.deploymentId };
  });
}

/** Finalize marks each still-active deployment of the environment inactive. */
export function describeInactivations(deployments: readonly LedgerDeployment[], status: StatusWrite): GitHubWrite[] {
  return deployments.map((d) => ({
    operation: 'PostDeploymentStatus',
    request: STATUS_MUTATION,
    entry: { id: d.payload.id, revision: d.payload.version.revision },
    status: statusOf(status),
    deploymentId: d.nodeId,
  }));
}

/** Every write succeeding at `now`. */
export function simulateWrites(writes: readonly PlannedWrite[], now: string): WriteResult[] {
  return writes.map((write) => {
    const status = { ...statusOf(write.status), state: write.status.state, createdAt: now };
    return write.kind === 'createDeployment'
      ? { write, deployment: { nodeId: `${DRY_RUN_NODE_ID_PREFIX}${write.key.id}:${write.key.revision}`, createdAt: now }, status }
      : { write, status };
  });
}

function statusOf(status: StatusWrite): { state: StatusWrite['state']; description: string; environmentUrl: string } {
  return { state: status.state, description: status.description, environmentUrl: status.environmentUrl };
}
