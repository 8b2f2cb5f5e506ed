/** The project's shared/ folder (specs, reference CRDs, fixtures): CI lays it beside the clone. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SHARED_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'shared');

/** GitHub data as kuberik's Go controller writes it, with its expected reading. */
export function goControllerFixture<T = any>(): T {
  return JSON.parse(readFileSync(path.join(SHARED_DIR, 'fixtures', 'go-controller-deployments.json'), 'utf8')) as T;
}
