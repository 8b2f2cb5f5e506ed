/** Where the Kubernetes credentials come from: a kubeconfig file when named, else KUBECONFIG, ~/.kube/config or the in-cluster service account. */
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const config = new KubeConfig();
  if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
  else config.loadFromDefault();
  return config;
}
