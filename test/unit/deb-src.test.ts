/**
 * test/e2e/control-plane/deb-src.sh: the deb-src entry the e2e provisioning adds mirrors the
 * machine's binary apt sources (same URIs, Suites, Components, Signed-By), whatever mirror
 * they name. Run on sample apt directories in a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/generate-crd.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'e2e', 'control-plane', 'deb-src.sh');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deb-src-'));
  mkdirSync(path.join(dir, 'sources.list.d'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, text: string) => writeFileSync(path.join(dir, file), text);
const derive = () => execFileSync('bash', [SCRIPT, dir], { encoding: 'utf8' });

test('deb822 sources: each enabled binary stanza, with its mirror, suites, components and key (inline keys too)', () => {
  write(
    'sources.list.d/debian.sources',
    [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://mirror.example.internal/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main contrib',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb deb-src',
      'URIs: https://mirror.example.internal/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      'Signed-By:',
      ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
      ' .',
      ' mQINBGRaYfEBEAC8',
      ' -----END PGP PUBLIC KEY BLOCK-----',
      '',
      'Enabled: no',
      'Types: deb',
      'URIs: http://disabled.example.internal/debian',
      'Suites: trixie',
      'Components: main',
      '',
    ].join('\n'),
  );
  write('sources.list.d/only-source.sources', 'Types: deb-src\nURIs: http://elsewhere.example.internal/debian\nSuites: sid\nComponents: main\n');
  expect(derive()).toBe(
    [
      'Types: deb-src',
      'URIs: http://mirror.example.internal/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main contrib',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb-src',
      'URIs: https://mirror.example.internal/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      'Signed-By:',
      ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
      ' .',
      ' mQINBGRaYfEBEAC8',
      ' -----END PGP PUBLIC KEY BLOCK-----',
      '',
      '',
    ].join('\n'),
  );
});

test('one-line sources: options (signed-by, trusted) kept, deb-src lines and comments ignored, duplicates once', () => {
  write(
    'sources.list',
    [
      '# the machine image default',
      'deb [arch=amd64 signed-by=/etc/apt/keyrings/mirror.gpg] http://apt.example.internal/debian bookworm main non-free-firmware',
      'deb [ arch=arm64 signed-by=/etc/apt/keyrings/mirror.gpg ] http://apt.example.internal/debian bookworm main non-free-firmware',
      'deb-src http://apt.example.internal/debian bookworm main',
      '',
    ].join('\n'),
  );
  write('sources.list.d/extra.list', 'deb [trusted=yes] http://local.example.internal/repo ./\n');
  expect(derive()).toBe(
    [
      'Types: deb-src',
      'URIs: http://apt.example.internal/debian',
      'Suites: bookworm',
      'Components: main non-free-firmware',
      'Signed-By: /etc/apt/keyrings/mirror.gpg',
      '',
      'Types: deb-src',
      'URIs: http://local.example.internal/repo',
      'Suites: ./',
      'Trusted: yes',
      '',
      '',
    ].join('\n'),
  );
});

test('nothing configured: nothing printed (provision.sh then stops with a message)', () => {
  expect(derive()).toBe('');
});

test('provision.sh derives its entry with deb-src.sh and names no archive host itself', () => {
  const provision = readFileSync(path.join(REPO_ROOT, 'test', 'e2e', 'control-plane', 'provision.sh'), 'utf8');
  expect(provision).toContain('deb-src.sh');
  expect(provision).not.toMatch(/URIs:|deb\.debian\.org|https?:\/\//);
  expect(provision.split('\n').find((l) => l.startsWith('set '))).toBe('set -euo pipefail');
});
