/**
 * How an Environment authenticates to GitHub, read from its Secret. The Secret's keys
 * decide: `appId` + `privateKey` + `installationId` is a GitHub App installation,
 * otherwise `token` is a personal access (or any bearer) token. `apiUrl` points either
 * mode at GitHub Enterprise Server. Pure.
 */
import type { Secret } from '../generated/kubernetes.js';
import { ALLOWED_API_URLS_VARIABLE, parseApiUrl, type ApiUrlPolicy } from './api-urls.js';
import type { Problem } from './problems.js';

export type GitHubCredentials = TokenCredentials | AppCredentials;

export interface TokenCredentials {
  type: 'token';
  token: string;
  /** REST base URL overriding GITHUB_API_URL, e.g. https://github.example.com/api/v3. */
  apiUrl?: string;
}

export interface AppCredentials {
  type: 'app';
  appId: string;
  privateKey: string;
  installationId: string;
  apiUrl?: string;
}

export const TOKEN_KEY = 'token';
export const APP_KEYS = ['appId', 'privateKey', 'installationId'] as const;
export const API_URL_KEY = 'apiUrl';

const POSITIVE_INTEGER = /^[1-9]\d{0,18}$/;
const PEM_PRIVATE_KEY = /^-----BEGIN (RSA )?PRIVATE KEY-----\s[\s\S]+\s-----END (RSA )?PRIVATE KEY-----$/;

/** With `apiUrls`, an `apiUrl` the operator did not allow is a problem (ApiUrlNotAllowed); `apiUrl` comes back in normal form. */
export function credentialsFrom(secret: Secret, where: string, apiUrls?: ApiUrlPolicy): GitHubCredentials | Problem {
  const value = (key: string) => secretValue(secret, key);
  const rawApiUrl = value(API_URL_KEY);
  let withUrl: { apiUrl?: string } = {};
  if (rawApiUrl) {
    const parsed = parseApiUrl(rawApiUrl);
    if (!parsed.ok) {
      return {
        reason: 'InvalidSecret',
        message: `Secret ${where} key "${API_URL_KEY}" must be an https URL without credentials, query string or fragment, such as https://github.example.com/api/v3`,
      };
    }
    if (apiUrls && !apiUrls.allows(parsed.url)) {
      return {
        reason: 'ApiUrlNotAllowed',
        message: `The API URL in Secret ${where} key "${API_URL_KEY}" is not allowed: only GITHUB_API_URL and the URLs the operator lists in ${ALLOWED_API_URLS_VARIABLE} are`,
      };
    }
    withUrl = { apiUrl: parsed.url };
  }

  const present = APP_KEYS.filter((key) => value(key) !== '');
  if (present.length === APP_KEYS.length) {
    const [appId, privateKey, installationId] = APP_KEYS.map(value) as [string, string, string];
    if (!POSITIVE_INTEGER.test(appId)) return { reason: 'InvalidSecret', message: `Secret ${where} key "appId" must be the numeric App ID` };
    if (!POSITIVE_INTEGER.test(installationId))
      return { reason: 'InvalidSecret', message: `Secret ${where} key "installationId" must be the numeric installation ID` };
    if (!PEM_PRIVATE_KEY.test(privateKey))
      return { reason: 'InvalidSecret', message: `Secret ${where} key "privateKey" must be the App's PEM private key (-----BEGIN RSA PRIVATE KEY----- …)` };
    return { type: 'app', appId, privateKey, installationId, ...withUrl };
  }
  const token = value(TOKEN_KEY);
  if (token !== '') return { type: 'token', token, ...withUrl };
  if (present.length > 0) {
    const missing = APP_KEYS.filter((key) => !present.includes(key));
    return { reason: 'SecretKeyMissing', message: `Secret ${where} has GitHub App keys but lacks ${missing.map((k) => `"${k}"`).join(' and ')}` };
  }
  return { reason: 'SecretKeyMissing', message: `Secret ${where} has no non-empty key "${TOKEN_KEY}"` };
}

/** Everything in the credentials that must never be shown. */
export function secretsOf(credentials: GitHubCredentials): string[] {
  return credentials.type === 'token' ? [credentials.token] : [credentials.privateKey];
}

/** What distinguishes one GitHub identity from another (secret: hash it before use). */
export function identityOf(credentials: GitHubCredentials): string {
  return credentials.type === 'token' ? credentials.token : `${credentials.appId}|${credentials.installationId}|${credentials.privateKey}`;
}

export function isCredentials(value: GitHubCredentials | Problem): value is GitHubCredentials {
  return 'type' in value;
}

function secretValue(secret: Secret, key: string): string {
  const encoded = secret.data?.[key];
  if (typeof encoded === 'string' && encoded !== '') return Buffer.from(encoded, 'base64').toString('utf8').trim();
  const plain = secret.stringData?.[key];
  return typeof plain === 'string' ? plain.trim() : '';
}
