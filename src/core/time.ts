/** The one time format the service writes: RFC 3339 in whole seconds, as Kubernetes keeps metav1.Time. */

/** `date` truncated to the second. */
export function kubeTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Epoch milliseconds rounded up to the second, so a deadline written down never ends early. */
export function kubeTimeCeil(ms: number): string {
  return kubeTime(new Date(Math.ceil(ms / 1000) * 1000));
}
