/**
 * The GitHub Actions workflows have never run here (no GitHub): this checks what can be
 * checked offline, that they parse and hold the steps they exist for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SIBLING_FOLDER } from '../support/fixtures.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
  const doc = YAML.parseDocument(readFileSync(path.join(REPO, '.github', 'workflows', name), 'utf8'));
  expect(doc.errors).toEqual([]);
  return doc.toJS() as Workflow;
}

function job(w: Workflow, name: string): Job {
  const j = w.jobs[name];
  if (!j) throw new Error(`no job ${name}`);
  return j;
}

const runs = (j: Job) => j.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
const uses = (j: Job) => j.steps.flatMap((s) => (s.uses ? [s.uses] : []));
const step = (j: Job, action: string) => {
  const found = j.steps.find((s) => s.uses?.startsWith(`${action}@`));
  if (!found) throw new Error(`no step uses ${action}`);
  return found;
};

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const dockerNode = /^FROM node:(\d+)-/m.exec(readFileSync(path.join(REPO, 'Dockerfile'), 'utf8'))?.[1];

function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('ci.yaml', () => {
  const ci = workflow('ci.yaml');

  test('runs on pull requests and on main, with read-only permissions', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(ci.on.push).toEqual({ branches: ['main'] });
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  test('lints once', () => {
    const lint = job(ci, 'lint');
    expect(uses(lint)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4']);
    expect(runs(lint)).toEqual(['npm ci --no-audit --no-fund', 'npm run lint']);
  });

  test("tests on the oldest Node engines allows, each later LTS line and the Dockerfile's Node", () => {
    const test = job(ci, 'test');
    const versions = test.strategy?.matrix?.['node-version'] as string[];
    const minimum = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
    expect(minimum).toBe('20.18.1');
    expect(versions).toEqual([minimum, '20', '22', '24']);
    expect(versions.filter((v) => v.includes('.')).every((v) => versionAtLeast(v, minimum!))).toBe(true);
    expect(versions).toContain(dockerNode);
    expect(step(test, 'actions/setup-node').with).toEqual({ 'node-version': '${{ matrix.node-version }}', cache: 'npm' });
    expect(runs(test)).toEqual([`test ! -e ${SIBLING_FOLDER}`, 'kubectl version --client', 'npm ci --no-audit --no-fund', 'npm test']);
  });

  test('builds the image without pushing it', () => {
    const image = job(ci, 'image');
    expect(step(image, 'docker/build-push-action').with).toMatchObject({ context: '.', push: false });
  });
});

describe('release.yaml', () => {
  const release = workflow('release.yaml');

  test('runs on version tags only', () => {
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
  });

  test('tests the tagged commit, checking the tag is the package.json version, before publishing', () => {
    const test = job(release, 'test');
    expect(runs(test)).toEqual([
      'test "$GITHUB_REF_NAME" = "v$(node -p \'require("./package.json").version\')"',
      'npm ci --no-audit --no-fund',
      'npm run lint',
      'npm test',
    ]);
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(job(release, 'publish').needs).toBe('test');
  });

  test('pushes a multi-arch image to ghcr.io/<repository>, the only job allowed to write packages', () => {
    const publish = job(release, 'publish');
    expect(release.permissions).toEqual({ contents: 'read' });
    expect(publish.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(step(publish, 'docker/login-action').with).toEqual({
      registry: 'ghcr.io',
      username: '${{ github.actor }}',
      password: '${{ secrets.GITHUB_TOKEN }}',
    });
    expect(step(publish, 'docker/metadata-action').with?.images).toBe('ghcr.io/${{ github.repository }}');
    expect(step(publish, 'docker/build-push-action').with).toEqual({
      context: '.',
      platforms: 'linux/amd64,linux/arm64',
      push: true,
      tags: '${{ steps.meta.outputs.tags }}',
      labels: '${{ steps.meta.outputs.labels }}',
      // The Dockerfile's own OCI labels, for builds outside the workflow too.
      'build-args': 'VERSION=${{ steps.meta.outputs.version }}\nSOURCE=${{ github.server_url }}/${{ github.repository }}\n',
    });
  });
});

test('every action is pinned to a major version', () => {
  for (const file of ['ci.yaml', 'release.yaml', 'e2e-kind.yaml']) {
    const w = workflow(file);
    for (const j of Object.values(w.jobs)) for (const u of uses(j)) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  }
});

test('the README names exactly the Node versions ci.yaml tests', () => {
  const matrix = job(workflow('ci.yaml'), 'test').strategy?.matrix?.['node-version'] as string[];
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const sentence = /CI tests Node ([^;)]+)[;)]/.exec(readme)?.[1];
  expect(sentence?.split(/, | and /)).toEqual(matrix.map(String));
});
