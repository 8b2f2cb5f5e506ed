/** Emulated GitHub for the benchmark: counts requests and rate-limit points. */
import { request } from 'undici';
import { GitHubEmulator } from '../tools/github-emulator/index.js';
import { TOKEN } from './scenario.js';

/** Large enough that a benchmark never exhausts a window (a restarted window would reset "used"). */
const RATE_LIMIT = 1_000_000_000;

/** `rateLimit`: GitHub's real per-token budget instead of an inexhaustible one; `tokens`: accepted besides TOKEN. */
export function startGitHub(latencyMs = 0, options: { rateLimit?: number; tokens?: string[] } = {}): Promise<GitHubEmulator> {
  return GitHubEmulator.start({ tokens: [TOKEN, ...(options.tokens ?? [])], latencyMs, rateLimit: options.rateLimit ?? RATE_LIMIT });
}

/**
 * Rate-limit points spent so far: REST `core` (1 per request) plus GraphQL (GitHub's
 * documented query cost, at least 1). GET /rate_limit itself is free, as on GitHub.
 */
export async function pointsUsed(emulator: GitHubEmulator, tokens: readonly string[] = [TOKEN]): Promise<number> {
  let used = 0;
  for (const token of tokens) {
    const { core, graphql } = await rateLimits(emulator, token);
    used += core.used + graphql.used;
  }
  return used;
}

interface Budget {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

/** A token's budgets as GET /rate_limit reports them. */
async function rateLimits(emulator: GitHubEmulator, token: string): Promise<{ core: Budget; graphql: Budget }> {
  const res = await request(`${emulator.url}/rate_limit`, { headers: { authorization: `token ${token}` } });
  const body = (await res.body.json()) as { resources: { core: Budget; graphql: Budget } };
  return body.resources;
}
