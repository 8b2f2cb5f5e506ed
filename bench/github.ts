/** Emulated GitHub for the benchmark: counts requests and rate-limit points. */
import { request } from 'undici';
import { GitHubEmulator } from '../src/github/emulator/index.js';
import { TOKEN } from './scenario.js';

/** Large enough that a benchmark never exhausts a window (a restarted window would reset "used"). */
const RATE_LIMIT = 1_000_000_000;

export function startGitHub(latencyMs = 0): Promise<GitHubEmulator> {
  return GitHubEmulator.start({ tokens: [TOKEN], latencyMs, rateLimit: RATE_LIMIT });
}

/**
 * Rate-limit points spent so far: REST `core` (1 per request) plus GraphQL (GitHub's
 * documented query cost, at least 1). GET /rate_limit itself is free, as on GitHub.
 */
export async function pointsUsed(emulator: GitHubEmulator): Promise<number> {
  const res = await request(`${emulator.url}/rate_limit`, { headers: { authorization: `token ${TOKEN}` } });
  const body = (await res.body.json()) as { resources: { core: { used: number }; graphql: { used: number } } };
  return body.resources.core.used + body.resources.graphql.used;
}
