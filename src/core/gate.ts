/** The RolloutGate this Environment owns: which release tags its Rollout may take. */
import { createHash } from 'node:crypto';
import type { RolloutGate, RolloutVersionInfo } from '../generated/kubernetes.js';
import { bakeByRevision, verdictByRevision } from './ledger.js';
import type { LedgerDeployment, Relationship } from './types.js';

export const PRETTY_NAME_ANNOTATION = 'gate.kuberik.com/pretty-name';
export const DESCRIPTION_ANNOTATION = 'gate.kuberik.com/description';
const MAX_NAME = 253;

/** Deterministic child name, still a valid object name for very long Environment names. */
export function gateName(environmentName: string): string {
  const name = `${environmentName}-gate`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(environmentName).digest('hex').slice(0, 10);
  const suffix = `-${hash}-gate`;
  return `${environmentName.slice(0, MAX_NAME - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

/**
 * Tags of release candidates whose revision qualifies in the upstream environment:
 * After — its newest verdict there is a successful bake (verdictByRevision: a redeploy in
 * progress keeps it allowed, a failed one withdraws it); Parallel — its newest deployment
 * there has not Failed or been Cancelled.
 */
export function allowedVersions(
  relationship: Relationship,
  upstreamDeployments: readonly LedgerDeployment[],
  releaseCandidates: readonly RolloutVersionInfo[],
): string[] {
  const bakes = relationship.type === 'Parallel' ? bakeByRevision(upstreamDeployments) : undefined;
  const verdicts = relationship.type === 'After' ? verdictByRevision(upstreamDeployments) : undefined;
  const qualifies = (revision: string | undefined): boolean => {
    if (revision === undefined) return false;
    if (verdicts) return verdicts.get(revision) === 'Succeeded';
    const bake = bakes!.get(revision);
    return bake !== undefined && bake.bakeStatus !== 'Failed' && bake.bakeStatus !== 'Cancelled';
  };
  // In the Rollout's releaseCandidates order (the order rollout-controller filters them in,
  // rollout-controller internal/controller/rollout_controller.go:796-809), first occurrence of each tag.
  const tags = releaseCandidates.filter((rc) => rc.tag && qualifies(rc.revision)).map((rc) => rc.tag);
  return [...new Set(tags)];
}

export function gateObject(args: {
  environmentName: string;
  namespace: string;
  rolloutName: string;
  relationship: Relationship;
  allowedVersions: string[];
}): RolloutGate {
  const { relationship } = args;
  const prettyName = relationship.type === 'After' ? `After ${relationship.environment}` : `Parallel with ${relationship.environment}`;
  const description =
    relationship.type === 'After'
      ? `Allows versions that baked successfully in ${relationship.environment} (GitHub deployments, managed by environment-sync for Environment ${args.environmentName}).`
      : `Allows versions deployed to ${relationship.environment} that have not failed or been cancelled there (GitHub deployments, managed by environment-sync for Environment ${args.environmentName}).`;
  return {
    apiVersion: 'kuberik.com/v1alpha1',
    kind: 'RolloutGate',
    metadata: {
      name: gateName(args.environmentName),
      namespace: args.namespace,
      annotations: { [DESCRIPTION_ANNOTATION]: description, [PRETTY_NAME_ANNOTATION]: prettyName },
    },
    spec: { rolloutRef: { name: args.rolloutName }, passing: true, allowedVersions: args.allowedVersions },
  };
}
