/** The Secret's keys decide how an Environment authenticates to GitHub. */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { credentialsFrom, identityOf, secretsOf } from '../../../src/core/credentials.js';
import type { Secret } from '../../../src/generated/kubernetes.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'ns' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const app = { appId: '12', privateKey: PEM, installationId: '34' };

describe('credentialsFrom', () => {
  it('a token', () => {
    expect(credentialsFrom(secret({ token: ' ghp_x \n' }), 'ns/s')).toEqual({ type: 'token', token: 'ghp_x' });
  });

  it('a GitHub App when all three App keys are present, even next to a token', () => {
    expect(credentialsFrom(secret({ ...app, token: 'ghp_x' }), 'ns/s')).toEqual({ type: 'app', appId: '12', privateKey: PEM, installationId: '34' });
  });

  it('apiUrl in either mode, trailing slashes dropped', () => {
    expect(credentialsFrom(secret({ token: 't', apiUrl: 'https://ghe.example/api/v3/' }), 'ns/s')).toEqual({
      type: 'token',
      token: 't',
      apiUrl: 'https://ghe.example/api/v3',
    });
    expect(credentialsFrom(secret({ ...app, apiUrl: 'https://ghe.example/api/v3' }), 'ns/s')).toMatchObject({
      type: 'app',
      apiUrl: 'https://ghe.example/api/v3',
    });
  });

  it('stringData as well as data', () => {
    const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { ...app } } as unknown as Secret;
    expect(credentialsFrom(s, 'ns/s')).toMatchObject({ type: 'app', appId: '12' });
  });

  it.each([
    [{}, 'SecretKeyMissing', 'Secret ns/s has no non-empty key "token"'],
    [{ appId: '12', privateKey: PEM }, 'SecretKeyMissing', 'Secret ns/s has GitHub App keys but lacks "installationId"'],
    [{ privateKey: PEM }, 'SecretKeyMissing', 'Secret ns/s has GitHub App keys but lacks "appId" and "installationId"'],
    [{ ...app, appId: '0' }, 'InvalidSecret', 'Secret ns/s key "appId" must be the numeric App ID'],
    [
      { ...app, privateKey: 'not a key' },
      'InvalidSecret',
      'Secret ns/s key "privateKey" must be the App\'s PEM private key (-----BEGIN RSA PRIVATE KEY----- …)',
    ],
    [
      { token: 't', apiUrl: 'https://user:pw@ghe.example' },
      'InvalidSecret',
      'Secret ns/s key "apiUrl" must be an http(s) URL without credentials, such as https://github.example.com/api/v3',
    ],
  ])('%j → %s', (data, reason, message) => {
    expect(credentialsFrom(secret(data), 'ns/s')).toEqual({ reason, message });
  });

  it('examples/secret-github-app.yaml is an App credential', () => {
    const manifest = YAML.parse(readFileSync(new URL('../../../examples/secret-github-app.yaml', import.meta.url), 'utf8')) as Secret;
    expect(credentialsFrom(manifest, 'default/github-token')).toMatchObject({ type: 'app', appId: '123456', installationId: '45678901' });
  });
});

describe('secretsOf / identityOf', () => {
  it('the token, or the private key, is what must never show', () => {
    expect(secretsOf({ type: 'token', token: 't' })).toEqual(['t']);
    expect(secretsOf({ type: 'app', ...app })).toEqual([PEM]);
  });

  it('two installations of one App are different identities', () => {
    expect(identityOf({ type: 'app', ...app })).not.toBe(identityOf({ type: 'app', ...app, installationId: '35' }));
  });
});
