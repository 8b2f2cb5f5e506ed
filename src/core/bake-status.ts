/** The mapping between a Rollout history entry's bake state and GitHub deployment statuses. */
import type { BakeReading, DesiredGitHubStatus, GitHubState, LedgerStatus } from './types.js';

/** GitHub's limit is 140 characters; 140 bytes of UTF-8 is always within it. */
export const MAX_DESCRIPTION_BYTES = 140;

const WRITE: Record<string, { state: GitHubState; prefix: string }> = {
  Succeeded: { state: 'success', prefix: 'Bake succeeded' },
  Failed: { state: 'failure', prefix: 'Bake failed' },
  InProgress: { state: 'in_progress', prefix: 'Baking in progress' },
  Deploying: { state: 'in_progress', prefix: 'Deploying' },
  Cancelled: { state: 'inactive', prefix: 'Bake cancelled' },
};
const OTHER = { state: 'pending' as GitHubState, prefix: 'Deploying' };

const READ: Record<string, string> = {
  'Bake succeeded': 'Succeeded',
  'Bake failed': 'Failed',
  'Baking in progress': 'InProgress',
  'Bake cancelled': 'Cancelled',
  Deploying: 'Deploying',
};

export function desiredStatus(bakeStatus: string | undefined, bakeStatusMessage: string | undefined): DesiredGitHubStatus {
  const { state, prefix } = (bakeStatus !== undefined && Object.hasOwn(WRITE, bakeStatus) ? WRITE[bakeStatus] : undefined) ?? OTHER;
  const message = bakeStatusMessage?.trim();
  const description = message ? `${prefix}: ${message}` : prefix;
  return { state, description: truncateUtf8(description, MAX_DESCRIPTION_BYTES) };
}

/** Cuts to at most maxBytes of UTF-8 without splitting a code point. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

function prefixOf(description: string): string {
  const colon = description.indexOf(':');
  return (colon === -1 ? description : description.slice(0, colon)).trim();
}

/**
 * The newest status we wrote (or the Go controller wrote): known prefix, and not one of
 * GitHub's automatic `inactive` statuses. Statuses are newest first.
 */
export function newestRecognisable(statuses: readonly LedgerStatus[]): LedgerStatus | undefined {
  return statuses.find((s) => {
    const prefix = prefixOf(s.description);
    if (!Object.hasOwn(READ, prefix)) return false;
    return s.state !== 'inactive' || prefix === 'Bake cancelled';
  });
}

export function readBake(statuses: readonly LedgerStatus[]): BakeReading {
  const status = newestRecognisable(statuses);
  if (!status) return {};
  const prefix = prefixOf(status.description);
  const reading: BakeReading = {};
  // `pending` + "Deploying" is what an entry without a bake state is written as.
  if (!(prefix === 'Deploying' && status.state === 'pending')) reading.bakeStatus = READ[prefix];
  const colon = status.description.indexOf(':');
  const message = colon === -1 ? '' : status.description.slice(colon + 1).trim();
  if (message) reading.bakeStatusMessage = message;
  return reading;
}
