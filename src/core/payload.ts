/**
 * Deployment payloads: written exactly like kuberik's Go controller (a JSON string holding
 * base64 of JSON), read defensively in every encoding GitHub has been seen to hand back.
 */
import type { DeploymentPayload, Relationship } from './types.js';

/** How many string layers (JSON-quoted or base64) we peel before giving up. */
const MAX_LAYERS = 4;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+$/;
const VERSION_FIELDS = ['tag', 'revision', 'digest', 'version', 'created'] as const;

export function encodePayload(payload: DeploymentPayload): string {
  const wire: Record<string, unknown> = { id: String(payload.id) };
  if (payload.relationship) wire.relationship = payload.relationship;
  wire.version = payload.version;
  return Buffer.from(JSON.stringify(wire), 'utf8').toString('base64');
}

/** Returns null for anything that is not one of our payloads (deployments made by other tools). */
export function decodePayload(raw: unknown): DeploymentPayload | null {
  let value: unknown = raw;
  for (let layer = 0; layer <= MAX_LAYERS; layer++) {
    if (isPlainObject(value)) return fromObject(value);
    if (typeof value !== 'string') return null;
    const unwrapped = unwrapString(value);
    if (unwrapped === undefined) return null;
    value = unwrapped;
  }
  return null;
}

function unwrapString(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const parsed = tryJson(trimmed);
  if (parsed !== undefined) return parsed;
  const compact = trimmed.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) return undefined;
  const decoded = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64').toString('utf8');
  if (decoded.includes('\uFFFD')) return undefined;
  const start = decoded.trimStart()[0];
  return start === '{' || start === '"' ? decoded : undefined;
}

function tryJson(text: string): unknown {
  const start = text[0];
  if (start !== '{' && start !== '"') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function fromObject(obj: Record<string, unknown>): DeploymentPayload | null {
  const id = parseId(obj.id);
  if (id === null || !isPlainObject(obj.version)) return null;
  const version: Partial<Record<(typeof VERSION_FIELDS)[number], string>> = {};
  for (const field of VERSION_FIELDS) {
    const v = obj.version[field];
    if (typeof v === 'string' && v !== '') version[field] = v;
  }
  if (!version.revision) return null;
  const payload: DeploymentPayload = {
    id,
    version: { ...version, tag: version.tag ?? '', revision: version.revision },
  };
  const relationship = parseRelationship(obj.relationship);
  if (relationship) payload.relationship = relationship;
  return payload;
}

function parseId(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim())) return Number(raw.trim());
  return null;
}

function parseRelationship(raw: unknown): Relationship | undefined {
  if (!isPlainObject(raw)) return undefined;
  const { environment, type } = raw;
  if (typeof environment !== 'string' || environment === '') return undefined;
  if (type !== 'After' && type !== 'Parallel') return undefined;
  return { environment, type };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
