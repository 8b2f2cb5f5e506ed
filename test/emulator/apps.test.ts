/**
 * The emulator's GitHub App endpoint: RS256 JWTs checked against the App's public key,
 * installation tokens that the emulator accepts until they expire on its clock.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { responseValidator } from '../../tools/github-emulator/index.js';
import { clients, startHarness, thrown, type Harness } from './helpers.js';

const APP_ID = 4242;
const INSTALLATION = 77;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function jwt(claims: Record<string, unknown>, key: KeyObject = privateKey, alg = 'RS256'): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg, typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({ iat: nowSeconds() - 30, exp: nowSeconds() + 570, iss: APP_ID });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.emulator.addRepository('acme/app');
  h.emulator.addApp({ id: APP_ID, publicKey, installations: [INSTALLATION] });
});
afterAll(() => h.close());

async function exchange(token: string, installation = INSTALLATION, prefix = '') {
  const { rest } = clients(`${h.emulator.url}${prefix}`);
  return rest('POST /app/installations/{installation_id}/access_tokens', { installation_id: installation, headers: { authorization: `bearer ${token}` } });
}

describe('POST /app/installations/{installation_id}/access_tokens', () => {
  test('issues a token that conforms to the OpenAPI response and expires an hour later on the emulator clock', async () => {
    const res = await exchange(jwt(validClaims()));
    expect(res.status).toBe(201);
    expect(res.data).toEqual({
      token: expect.stringMatching(/^ghs_[A-Za-z0-9_-]{36}$/),
      expires_at: '2025-03-01T13:00:00Z',
      permissions: { deployments: 'write', metadata: 'read' },
      repository_selection: 'all',
    });
    const validate = responseValidator('apps/create-installation-access-token');
    expect(validate(res.data)).toBe(true);
  });

  test('the issued token works on REST and GraphQL until it expires, then gets 401', async () => {
    const { data } = await exchange(jwt(validClaims()));
    const { rest, gql } = clients(h.emulator.url, data.token);
    expect((await rest('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'app' })).status).toBe(200);
    expect(await gql('query { viewer { login } }')).toEqual({ viewer: { login: 'github-emulator' } });
    h.clock.advance(3600);
    const expired = await thrown(() => rest('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'app' }));
    expect(expired.status).toBe(401);
  });

  test('is also served under the GitHub Enterprise Server prefix /api/v3', async () => {
    expect((await exchange(jwt(validClaims()), INSTALLATION, '/api/v3')).status).toBe(201);
  });

  test.each([
    ['signed by another key', () => jwt(validClaims(), stranger), 401, 'A JSON web token could not be decoded'],
    ['not a JWT', () => 'ghp_personalAccessToken', 401, 'A JSON web token could not be decoded'],
    ['HS256 instead of RS256', () => jwt(validClaims(), privateKey, 'HS256'), 401, 'A JSON web token could not be decoded'],
    ['an unknown App ID', () => jwt({ ...validClaims(), iss: 1 }), 401, 'Integration not found'],
    [
      'expired',
      () => jwt({ ...validClaims(), iat: nowSeconds() - 700, exp: nowSeconds() - 100 }),
      401,
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    ],
    [
      'issued in the future',
      () => jwt({ ...validClaims(), iat: nowSeconds() + 300, exp: nowSeconds() + 600 }),
      401,
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    ],
    [
      'valid for more than ten minutes',
      () => jwt({ ...validClaims(), exp: nowSeconds() + 3600 }),
      401,
      "'Expiration time' claim ('exp') is too far in the future",
    ],
  ])('rejects a JWT %s', async (_name, token, status, message) => {
    const error = await thrown(() => exchange(token()));
    expect(error.status).toBe(status);
    expect(error.response.data.message).toBe(message);
    expect(h.emulator.installationTokens().some((t) => t.token === token())).toBe(false);
  });

  test('404 for an installation the App does not have', async () => {
    const error = await thrown(() => exchange(jwt(validClaims()), 78));
    expect(error.status).toBe(404);
  });

  test('422 for a body that breaks the request schema', async () => {
    const { rest } = clients(h.emulator.url);
    const error = await thrown(() =>
      rest('POST /app/installations/{installation_id}/access_tokens', {
        installation_id: INSTALLATION,
        repository_ids: 'all',
        headers: { authorization: `bearer ${jwt(validClaims())}` },
      }),
    );
    expect(error.status).toBe(422);
    expect(error.response.data.message).toBe('Invalid request.\n\nFor \'properties/repository_ids\', "all" is not an array.');
  });
});
