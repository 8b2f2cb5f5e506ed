/**
 * GitHub App authentication in the emulator: `POST /app/installations/{id}/access_tokens`
 * with an RS256 JWT signed by the app's private key, answered with an installation token
 * that the emulator then accepts until it expires (on the emulator clock).
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { documentationUrl, requestProblems } from './contract.js';
import { isoSeconds } from './ids.js';
import { errorBody, type RestResponse } from './rest.js';

export interface EmulatedApp {
  /** The App ID GitHub shows on the app's settings page; the JWT's `iss`. */
  id: number;
  /** PEM (SPKI or PKCS#1) or a KeyObject: the public half of the app's private key. */
  publicKey: string | KeyObject;
  installations: number[];
}

export interface IssuedToken {
  token: string;
  appId: number;
  installationId: number;
  expiresAt: string;
}

const ROUTE = /^\/app\/installations\/([^/]+)\/access_tokens$/;
const OPERATION = 'apps/create-installation-access-token' as const;
/** GitHub rejects app JWTs whose lifetime exceeds ten minutes; allow its documented 60 s clock drift. */
const MAX_JWT_LIFETIME_SECONDS = 600 + 60;
const CLOCK_DRIFT_SECONDS = 60;

export class AppRegistry {
  private readonly apps = new Map<number, { publicKey: KeyObject; installations: Set<number> }>();
  private readonly issued = new Map<string, IssuedToken>();

  constructor(
    private readonly clock: () => Date,
    private readonly tokenTtlSeconds: number,
  ) {}

  add(app: EmulatedApp): void {
    const publicKey = typeof app.publicKey === 'string' ? createPublicKey(app.publicKey) : app.publicKey;
    this.apps.set(app.id, { publicKey, installations: new Set(app.installations) });
  }

  static matches(pathname: string): boolean {
    return ROUTE.test(pathname);
  }

  /** True for an installation token this emulator issued and that has not expired. */
  accepts(token: string): boolean {
    const issued = this.issued.get(token);
    return issued !== undefined && Date.parse(issued.expiresAt) > this.clock().getTime();
  }

  tokens(): IssuedToken[] {
    return [...this.issued.values()];
  }

  createInstallationToken(method: string, pathname: string, authorization: string | undefined, rawBody: string): RestResponse {
    const match = ROUTE.exec(pathname);
    const docs = documentationUrl(OPERATION);
    if (!match || method !== 'POST') return { status: 404, body: errorBody(404, 'Not Found', docs) };
    const jwt = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    const app = jwt === undefined ? undefined : this.verifyJwt(jwt);
    if (typeof app === 'string') return { status: 401, body: errorBody(401, app, docs) };
    if (!app) return { status: 401, body: errorBody(401, 'A JSON web token could not be decoded', docs) };

    let body: unknown = {};
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return { status: 400, body: errorBody(400, 'Problems parsing JSON', docs) };
      }
    }
    const problems = requestProblems(OPERATION, body);
    if (problems.length > 0) return { status: 422, body: errorBody(422, `Invalid request.\n\n${problems.join('\n')}`, docs) };

    const installationId = Number(match[1]);
    if (!Number.isSafeInteger(installationId) || !app.installations.has(installationId)) {
      return { status: 404, body: errorBody(404, 'Not Found', docs) };
    }
    const issued: IssuedToken = {
      token: `ghs_${randomBytes(27).toString('base64url').slice(0, 36)}`,
      appId: app.id,
      installationId,
      expiresAt: isoSeconds(new Date(this.clock().getTime() + this.tokenTtlSeconds * 1000)),
    };
    this.issued.set(issued.token, issued);
    return {
      status: 201,
      body: {
        token: issued.token,
        expires_at: issued.expiresAt,
        permissions: { deployments: 'write', metadata: 'read' },
        repository_selection: 'all',
      },
    };
  }

  /**
   * The app the JWT proves, or GitHub's message for why it does not. Times are checked
   * against real time, not the emulator clock: the signer (universal-github-app-jwt) uses
   * real time, and tests freeze or step the emulator clock.
   */
  private verifyJwt(jwt: string): { id: number; installations: Set<number> } | string | undefined {
    const parts = jwt.split('.');
    if (parts.length !== 3) return undefined;
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    if (header.alg !== 'RS256') return undefined;
    const id = Number(claims.iss);
    const app = this.apps.get(id);
    if (!app) return 'Integration not found';
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    if (!verify('RSA-SHA256', signed, app.publicKey, Buffer.from(signaturePart, 'base64url'))) return undefined;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) {
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    }
    if (typeof claims.iat !== 'number' || claims.iat > now + CLOCK_DRIFT_SECONDS) {
      return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
    }
    if (claims.exp - claims.iat > MAX_JWT_LIFETIME_SECONDS) {
      return "'Expiration time' claim ('exp') is too far in the future";
    }
    return { id, installations: app.installations };
  }
}
