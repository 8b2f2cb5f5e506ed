/**
 * The GitHub emulator seeded with the demo ledger (examples/github-seed.json): what
 * `npm run dev` serves and what the README's curl walkthrough is tested against.
 * Development only: the emulator needs devDependencies.
 */
import { readFile } from 'node:fs/promises';
import { GitHubEmulator, type EmulatorOptions, type SeedDeployment } from './github-emulator/index.js';

export const DEMO_SEED = new URL('../examples/github-seed.json', import.meta.url);

export interface DemoSeed {
  repository: string;
  commits: string[];
  deployments: SeedDeployment[];
}

export async function startDemoGitHub(options: EmulatorOptions = {}): Promise<{ emulator: GitHubEmulator; seed: DemoSeed }> {
  const seed = JSON.parse(await readFile(DEMO_SEED, 'utf8')) as DemoSeed;
  const emulator = await GitHubEmulator.start(options);
  emulator.addRepository(seed.repository, { commits: seed.commits });
  emulator.seedFromFixture(seed.repository, { deployments: seed.deployments });
  return { emulator, seed };
}
