/**
 * What a GitHub delivery says, as far as the receiver cares: a `deployment` or
 * `deployment_status` of kuberik's task on one of its environments. Pure: no I/O.
 *
 * Payload shapes: GitHub's webhook descriptions `deployment-created` and
 * `deployment-status-created` (x-webhooks in @octokit/openapi's api.github.com.json):
 * `repository.full_name`, `deployment.task`, `deployment.environment` and, for a status,
 * `deployment_status.environment` (the status may move the deployment to another environment).
 */
import { belongsToApplication, deploymentName } from '../core/naming.js';

export const HANDLED_EVENTS = ['deployment', 'deployment_status'] as const;
export type HandledEvent = (typeof HANDLED_EVENTS)[number];

const TASK_PREFIX = 'deploy:kuberik/';

/** One (repository, application, environment) a delivery reports news on. */
export interface EventSubject {
  /** `owner/repo`, lower-cased (GitHub names are case-insensitive). */
  repository: string;
  /** With the `kuberik/` prefix: `kuberik/my-app`. */
  application: string;
  /** The short environment name: `production`. */
  environment: string;
}

export type ParsedEvent = { subjects: EventSubject[] } | { ignored: string };

export function isHandledEvent(event: string): event is HandledEvent {
  return (HANDLED_EVENTS as readonly string[]).includes(event);
}

export function parseEvent(event: HandledEvent, payload: unknown): ParsedEvent {
  if (!isRecord(payload)) return { ignored: 'payload is not an object' };
  const repository = isRecord(payload.repository) ? payload.repository.full_name : undefined;
  if (typeof repository !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(repository)) return { ignored: 'no repository.full_name' };
  const deployment = payload.deployment;
  if (!isRecord(deployment)) return { ignored: 'no deployment' };
  const task = deployment.task;
  if (typeof task !== 'string' || !task.startsWith(TASK_PREFIX) || task.length === TASK_PREFIX.length) return { ignored: 'not a kuberik deployment task' };
  const application = deploymentName(task.slice('deploy:'.length));
  const names = new Set<string>();
  if (typeof deployment.environment === 'string') names.add(deployment.environment);
  if (event === 'deployment_status' && isRecord(payload.deployment_status) && typeof payload.deployment_status.environment === 'string') {
    names.add(payload.deployment_status.environment);
  }
  const subjects: EventSubject[] = [];
  for (const name of names) {
    if (!belongsToApplication(application, name)) continue;
    subjects.push({ repository: repository.toLowerCase(), application, environment: name.slice(application.length + 1) });
  }
  return subjects.length > 0 ? { subjects } : { ignored: `environment is not one of ${application}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
