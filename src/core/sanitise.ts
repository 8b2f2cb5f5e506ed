/**
 * Everything copied from GitHub (deployment payloads, descriptions, status texts, URLs,
 * environment names) into status, cut to what the Environment CRD accepts: the API server
 * refuses a whole status write for one bad value (a `format: date-time` field holding
 * "yesterday"), and that would stop every downstream Environment reading that record.
 * Strings are bounded (a status lives in one etcd object) and well-formed UTF-16.
 */
import type { DeploymentHistoryEntry, VersionInfo } from './types.js';

/** Bounds in characters (code points). Tags, revisions, digests and versions are short labels. */
export const MAX_LABEL = 255;
export const MAX_URL = 2048;
export const MAX_MESSAGE = 1024;
/** metav1.Condition message maxLength. */
export const MAX_CONDITION_MESSAGE = 32768;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** A string of at most `max` code points, or undefined for anything that is not a string. */
export function boundedString(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const wellFormed = value.replace(LONE_SURROGATE, '\uFFFD');
  if (wellFormed.length <= max) return wellFormed;
  const points = Array.from(wellFormed);
  return points.length <= max ? wellFormed : points.slice(0, max).join('');
}

/**
 * An RFC 3339 date-time in the form Kubernetes writes (`2026-11-19T10:00:00Z`, fractional
 * seconds kept to milliseconds), or undefined when `value` is not a valid one (including
 * calendar dates that do not exist, which JavaScript's Date would roll over).
 */
export function rfc3339(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = m[8]!;
  if (offset.length === 6 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const ms = Date.parse(value.toUpperCase());
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function sanitiseVersion(v: Partial<Record<keyof VersionInfo, unknown>>): VersionInfo {
  const out: VersionInfo = { tag: boundedString(v.tag, MAX_LABEL) ?? '' };
  for (const field of ['revision', 'digest', 'version'] as const) {
    const value = boundedString(v[field], MAX_LABEL);
    if (value) out[field] = value;
  }
  const created = rfc3339(v.created);
  if (created) out.created = created;
  return out;
}

/** The entry as the CRD accepts it; undefined when its required timestamp is not a date-time. */
export function sanitiseEntry(e: DeploymentHistoryEntry): DeploymentHistoryEntry | undefined {
  const timestamp = rfc3339(e.timestamp);
  if (timestamp === undefined) return undefined;
  const out: DeploymentHistoryEntry = { version: sanitiseVersion(e.version), timestamp };
  if (typeof e.id === 'number' && Number.isSafeInteger(e.id)) out.id = e.id;
  const message = boundedString(e.message, MAX_MESSAGE);
  if (message) out.message = message;
  const bakeStatus = boundedString(e.bakeStatus, MAX_LABEL);
  if (bakeStatus) out.bakeStatus = bakeStatus;
  const bakeStatusMessage = boundedString(e.bakeStatusMessage, MAX_MESSAGE);
  if (bakeStatusMessage) out.bakeStatusMessage = bakeStatusMessage;
  // Key order as DeploymentHistoryEntry is built elsewhere: id, version, timestamp, ...
  const { id, version, timestamp: t, ...rest } = out;
  return { ...(id !== undefined ? { id } : {}), version, timestamp: t, ...rest };
}

/** Characters of a remote host's own message kept in a condition. */
export const MAX_FOREIGN_MESSAGE = 200;
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/**
 * Text an API host wrote (its JSON `message`), fit for a tenant-readable condition: one line
 * without control or invisible formatting characters, at most MAX_FOREIGN_MESSAGE code
 * points; '' for anything that is not a string.
 */
export function foreignMessage(value: unknown): string {
  if (typeof value !== 'string') return '';
  const oneLine = value.replace(CONTROL_OR_FORMAT, ' ').replace(/ {2,}/g, ' ').trim();
  return boundedString(oneLine, MAX_FOREIGN_MESSAGE) ?? '';
}
