/**
 * History entries kept per environment in status.environmentInfos. Every hook request carries
 * the status of every Environment of the namespace, and etcd refuses objects over ~1.5 MiB: a
 * status must not grow with the GitHub history (GitHub never retires deployments).
 */
export const MAX_HISTORY_ENTRIES = 20;

/** Deployments of each environment always read and decided from, whatever their age (read-horizon.ts): enough for a full status history. */
export const MIN_PER_ENVIRONMENT = MAX_HISTORY_ENTRIES;
