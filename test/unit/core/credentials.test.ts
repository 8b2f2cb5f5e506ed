/** The Secret's keys decide how an Environment authenticates to GitHub. */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { ApiUrlPolicy } from '../../../src/core/api-urls.js';
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
      'Secret ns/s key "apiUrl" must be an https URL without credentials, query string or fragment, such as https://github.example.com/api/v3',
    ],
  ])('%j → %s', (data, reason, message) => {
    expect(credentialsFrom(secret(data), 'ns/s')).toEqual({ reason, message });
  });

  it.each([
    ['https://ghe.example/api/v3?x=/graphql', 'a query string'],
    ['https://ghe.example/api/v3?', 'an empty query string'],
    ['https://ghe.example/api/v3#frag', 'a fragment'],
    ['ghe.example/api/v3', 'no scheme'],
  ])('apiUrl %s (%s) → InvalidSecret', (apiUrl) => {
    expect(credentialsFrom(secret({ token: 't', apiUrl }), 'ns/s')).toMatchObject({ reason: 'InvalidSecret' });
  });

  it('examples/secret-github-app.yaml is an App credential', () => {
    const manifest = YAML.parse(readFileSync(new URL('../../../examples/secret-github-app.yaml', import.meta.url), 'utf8')) as Secret;
    expect(credentialsFrom(manifest, 'default/github-token')).toMatchObject({ type: 'app', appId: '123456', installationId: '45678901' });
  });
});

describe("credentialsFrom with the operator's allow-list", () => {
  const policy = new ApiUrlPolicy('https://api.github.com', ['https://ghe.example/api/v3', 'http://10.0.0.7:8080/api/v3']);
  const notAllowed = {
    reason: 'ApiUrlNotAllowed',
    message: 'The API URL in Secret ns/s key "apiUrl" is not allowed: only GITHUB_API_URL and the URLs the operator lists in ALLOWED_GITHUB_API_URLS are',
  };

  it.each([
    ['https://api.github.com/', 'https://api.github.com'],
    ['https://API.GitHub.com:443', 'https://api.github.com'],
    ['https://GHE.example/api/v3/', 'https://ghe.example/api/v3'],
    ['http://10.0.0.7:8080/api/v3', 'http://10.0.0.7:8080/api/v3'],
  ])('%s is allowed, as %s', (apiUrl, normal) => {
    expect(credentialsFrom(secret({ token: 't', apiUrl }), 'ns/s', policy)).toEqual({ type: 'token', token: 't', apiUrl: normal });
  });

  it.each([
    'https://evil.example/api/v3',
    'http://ghe.example/api/v3',
    'https://ghe.example/api/v3/repos',
    'https://ghe.example/api',
    'https://10.0.0.7:8080/api/v3',
    'http://169.254.169.254/latest',
    'https://ghe.example:8443/api/v3',
  ])('%s → ApiUrlNotAllowed', (apiUrl) => {
    expect(credentialsFrom(secret({ ...app, apiUrl }), 'ns/s', policy)).toEqual(notAllowed);
  });

  it('without apiUrl the Secret uses GITHUB_API_URL, which is always allowed', () => {
    expect(credentialsFrom(secret({ token: 't' }), 'ns/s', new ApiUrlPolicy('https://api.github.com'))).toEqual({ type: 'token', token: 't' });
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
