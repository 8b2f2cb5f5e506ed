/** Shared set-up: the real clients the service uses (@octokit/graphql, @octokit/request) over undici's fetch. */
import { graphql } from '@octokit/graphql';
import { request } from '@octokit/request';
import { fetch as undiciFetch } from 'undici';
import { GitHubEmulator, type EmulatorOptions } from '../../tools/github-emulator/index.js';

export const TOKEN = 'test-token';
export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);
export const SHA_C = 'c'.repeat(40);

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private current: Date = new Date('2025-03-01T12:00:00Z')) {}
  readonly now = (): Date => this.current;
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** @octokit/request, typed loosely: tests send deliberately invalid bodies and read raw JSON. */
export type LooseRequest = (
  route: string,
  params?: Record<string, unknown>,
) => Promise<{ status: number; url: string; data: any; headers: Record<string, string | undefined> }>;

export interface Harness {
  emulator: GitHubEmulator;
  clock: ManualClock;
  gql: typeof graphql;
  rest: LooseRequest;
  close(): Promise<void>;
}

export function clients(baseUrl: string, token: string = TOKEN): { gql: typeof graphql; rest: LooseRequest } {
  const fetch = undiciFetch as unknown as typeof globalThis.fetch;
  return {
    gql: graphql.defaults({ baseUrl, headers: { authorization: `token ${token}` }, request: { fetch } }),
    rest: request.defaults({ baseUrl, headers: { authorization: `token ${token}` }, request: { fetch } }) as unknown as LooseRequest,
  };
}

export async function startHarness(opts: EmulatorOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const emulator = await GitHubEmulator.start({ tokens: [TOKEN], clock: clock.now, ...opts });
  const { gql, rest } = clients(emulator.url);
  return { emulator, clock, gql, rest, close: () => emulator.close() };
}

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
