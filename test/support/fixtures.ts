/** Data the tests read, kept in test/fixtures/ (test/fixtures/README.md says where each file came from). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures');

/** Reference CRDs (kuberik's Environment, Rollout and RolloutGate; Metacontroller's own). */
export const REFERENCE_CRDS_DIR = path.join(FIXTURES_DIR, 'reference-crds');

/** GitHub data as kuberik's Go controller writes it, with its expected reading. */
export function goControllerFixture<T = any>(): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'go-controller-deployments.json'), 'utf8')) as T;
}

/** The Environment objects of kuberik's docs, byte for byte (staging.yaml, production.yaml). */
export const KUBERIK_DOCS_DIR = path.join(FIXTURES_DIR, 'kuberik-docs');

/**
 * The project's reading folder beside a development clone, which a user's clone lacks; only
 * named to check that nothing uses it (spelled from parts so no file names it literally).
 */
export const SIBLING_FOLDER = ['..', 'shar' + 'ed'].join('/');
