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
