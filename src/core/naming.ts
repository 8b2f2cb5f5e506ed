/** Names on the GitHub side, exactly as kuberik's Go controller forms them. */

const PREFIX = 'kuberik/';

export function deploymentName(specName: string): string {
  return specName.startsWith(PREFIX) ? specName : `${PREFIX}${specName}`;
}

export function deploymentTask(specName: string): string {
  return `deploy:${deploymentName(specName)}`;
}

export function githubEnvironment(specName: string, environment: string): string {
  return `${deploymentName(specName)}/${environment}`;
}

/** The environment of a deployment is the last `/`-separated segment. */
export function shortEnvironment(githubEnv: string): string {
  const i = githubEnv.lastIndexOf('/');
  return i === -1 ? githubEnv : githubEnv.slice(i + 1);
}

/** True when a GitHub environment name belongs to this application. */
export function belongsToApplication(specName: string, githubEnv: string): boolean {
  const prefix = `${deploymentName(specName)}/`;
  return githubEnv.startsWith(prefix) && githubEnv.length > prefix.length && !githubEnv.slice(prefix.length).includes('/');
}

/** The application and environment an Environment names on GitHub. */
export interface ResolvedIdentity {
  /** As written (`my-app` or `kuberik/my-app`); the naming functions above add the prefix. */
  application: string;
  environment: string;
}

/**
 * Both spec forms name the same records (spec §3): with `environment` set (kuberik's Go
 * controller), `name` is the application; without it (the form kuberik's docs show, where
 * `name` is "the human-readable environment name"), `name` is the environment and the
 * application is the Rollout's name. Undefined when neither form is complete.
 */
export function resolveIdentity(spec: { name?: unknown; environment?: unknown; rolloutRef?: unknown }): ResolvedIdentity | undefined {
  const name = typeof spec.name === 'string' ? spec.name : '';
  if (typeof spec.environment === 'string' && spec.environment !== '') {
    return name ? { application: name, environment: spec.environment } : undefined;
  }
  const ref = spec.rolloutRef;
  const rolloutName = typeof ref === 'object' && ref !== null && typeof (ref as { name?: unknown }).name === 'string' ? (ref as { name: string }).name : '';
  return name && rolloutName ? { application: rolloutName, environment: name } : undefined;
}
