/**
 * No Docker engine runs where the tests run, so check statically what `docker build` would
 * trip on: a COPY whose source .dockerignore leaves out of the build context.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/generate-crd.js';

interface IgnoreRule {
  negated: boolean;
  pattern: RegExp;
}

/** .dockerignore rules: later rules win, `!` re-includes, a rule also covers what is below it. */
function ignoreRules(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const glob = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const body = glob
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { negated, pattern: new RegExp(`^${body}(/.*)?$`) };
    });
}

function ignored(file: string, rules: IgnoreRule[]): boolean {
  let result = false;
  for (const rule of rules) if (rule.pattern.test(file)) result = !rule.negated;
  return result;
}

/** Sources of `COPY` instructions that read the build context (not `--from=`). */
function contextCopySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
    .flatMap((line) => {
      const words = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((w) => !w.startsWith('--'));
      return words.slice(0, -1).map((w) => w.replace(/^\.\//, '').replace(/\/$/, ''));
    });
}

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const rules = ignoreRules(readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8'));

describe('Dockerfile build context', () => {
  it.each(contextCopySources(dockerfile))('%s exists and is not left out by .dockerignore', (source) => {
    expect(existsSync(path.join(REPO_ROOT, source))).toBe(true);
    expect(ignored(source, rules)).toBe(false);
  });

  it('leaves tests, manifests and docs out of the context', () => {
    expect(['test/unit/crd.test.ts', 'manifests/samples/secret.yaml', 'README.md', '.git/config', 'node_modules/x'].map((f) => ignored(f, rules))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('Dockerfile image metadata', () => {
  const labels = Object.fromEntries([...dockerfile.matchAll(/(org\.opencontainers\.image\.[a-z]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; license: string }).version;

  it('labels the image with its source, version and licence (OCI annotations)', () => {
    expect(labels).toEqual({
      'org.opencontainers.image.title': 'environment-sync',
      'org.opencontainers.image.description': 'kuberik Environments across disconnected clusters, as Metacontroller hooks backed by GitHub Deployments',
      'org.opencontainers.image.version': '${VERSION}',
      'org.opencontainers.image.source': '${SOURCE}',
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    expect(dockerfile).toMatch(new RegExp(`^ARG VERSION=${version.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('says how to pin the base image by digest', () => {
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(dockerfile).toContain('FROM node:24-bookworm-slim@sha256:<that digest>');
  });
});
