/**
 * test/e2e/control-plane/provision-metacontroller.sh without building anything: the apt entry it
 * derives for bookworm-backports from the machine's own Debian entry (never a host of its own),
 * the cache it trusts, and the refusals it explains.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/generate-crd.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'e2e', 'control-plane', 'provision-metacontroller.sh');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'provision-mc-'));
  mkdirSync(path.join(dir, 'sources.list.d'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, APT_ETC: dir, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bookworm-backports entry', () => {
  test('copies the URIs and Signed-By of the deb822 entry for bookworm itself, not of the security suite', () => {
    writeFileSync(
      path.join(dir, 'sources.list.d', 'debian.sources'),
      [
        'Types: deb',
        '# http://snapshot.debian.org/archive/debian-security/20250520T000000Z',
        'URIs: http://security.example.org/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
        '',
        'Types: deb',
        'URIs: http://mirror.example.org/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main contrib',
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
        '',
      ].join('\n'),
    );
    expect(run(['backports-stanza', 'bookworm'])).toEqual({
      status: 0,
      stdout:
        'Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
      stderr: '',
    });
  });

  test('reads a one-line sources.list, with its signed-by option', () => {
    writeFileSync(
      path.join(dir, 'sources.list'),
      'deb-src http://src.example.org/debian bookworm main\ndeb [arch=amd64 signed-by=/etc/apt/keyrings/mirror.gpg] http://mirror.example.org/debian bookworm main\n',
    );
    expect(run(['backports-stanza', 'bookworm']).stdout).toBe(
      'Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /etc/apt/keyrings/mirror.gpg\n',
    );
  });

  test('keeps an embedded key as it is written, and leaves Signed-By out when the entry has none', () => {
    const key = ['Signed-By:', ' -----BEGIN PGP PUBLIC KEY BLOCK-----', ' .', ' mQINBGE', ' -----END PGP PUBLIC KEY BLOCK-----'];
    writeFileSync(
      path.join(dir, 'sources.list.d', 'debian.sources'),
      ['Types: deb', 'URIs: http://a.example.org/debian', 'Suites: bookworm', ...key, ''].join('\n'),
    );
    expect(run(['backports-stanza', 'bookworm']).stdout).toBe(
      ['Types: deb', 'URIs: http://a.example.org/debian', 'Suites: bookworm-backports', 'Components: main', ...key, ''].join('\n'),
    );
    writeFileSync(path.join(dir, 'sources.list.d', 'debian.sources'), 'Types: deb\nURIs: http://b.example.org/debian\nSuites: bookworm\nComponents: main\n');
    expect(run(['backports-stanza', 'bookworm']).stdout).toBe('Types: deb\nURIs: http://b.example.org/debian\nSuites: bookworm-backports\nComponents: main\n');
  });

  test('refuses, saying why, when no entry names the release', () => {
    writeFileSync(path.join(dir, 'sources.list'), 'deb http://archive.ubuntu.com/ubuntu jammy main\n');
    expect(run(['backports-stanza', 'bookworm'])).toEqual({
      status: 1,
      stdout: '',
      stderr: '[provision-metacontroller] no apt source names the bookworm suite; cannot derive bookworm-backports\n',
    });
  });
});

describe('the build', () => {
  test('a complete cache is used as it is: its directory printed, nothing built', () => {
    const cached = path.join(dir, 'cache', 'metacontroller-4.12.0');
    mkdirSync(cached, { recursive: true });
    writeFileSync(path.join(cached, '.complete'), '');
    expect(run([], { E2E_CACHE_DIR: path.join(dir, 'cache') })).toEqual({
      status: 0,
      stdout: `${cached}\n`,
      stderr: `[provision-metacontroller] cached: ${cached}\n`,
    });
  });

  test('a source bundle whose sha256 is not the expected one is refused before anything is installed', () => {
    const bundle = path.join(dir, 'metacontroller-v4.12.0-src-vendored.tar.gz');
    writeFileSync(bundle, 'not the bundle');
    const result = run([], { E2E_CACHE_DIR: path.join(dir, 'cache'), METACONTROLLER_SRC_BUNDLE: bundle });
    expect([result.status, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toBe(
      `[provision-metacontroller] ${bundle}: sha256 8289ae260051b6b3580defd55f30c99ceba8d0daffd1c7dcbd86497e2801eca3, expected a68cad0c5ebbbca5d9a70abe40d261da4ec4ce9ac81e0bf2f53fe46763cb9482\n`,
    );
  });
});
