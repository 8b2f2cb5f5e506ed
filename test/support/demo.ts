/** The service on the demo ledger, as `npm run dev` serves it: what the README's curl walkthroughs use. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp, createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startDemoGitHub } from '../../tools/demo-github.js';
import { loadGitHubGraphQLSchema, type GitHubEmulator } from '../../tools/github-emulator/index.js';

export const example = (name: string): any => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

export interface DemoService {
  emulator: GitHubEmulator;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startDemoService(): Promise<DemoService> {
  // GitHub's schema is loaded before the first sync starts its budget (seconds on a busy machine).
  await loadGitHubGraphQLSchema();
  const { emulator } = await startDemoGitHub();
  const app = await buildApp({ ...loadConfig({}), githubApiUrl: emulator.url }, { logger: createLogger('silent') });
  return {
    emulator,
    app,
    async close() {
      await app.close();
      await emulator.close();
    },
  };
}
