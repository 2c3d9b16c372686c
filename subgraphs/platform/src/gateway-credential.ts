import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HEADERS } from './request-context.ts';

/**
 * Subgraphs accept only requests signed by the gateway (or by a sibling subgraph, which holds the
 * same secret). The signature covers the identity headers and the body, so a forged `x-user-id`
 * or a replayed body with other headers is useless without the secret.
 */
export const SIGNATURE_HEADER = 'x-gateway-signature';
export const TIMESTAMP_HEADER = 'x-gateway-timestamp';
const MAX_SKEW_MS = 60_000;

export interface SignedFields {
  requestId: string;
  userId: string | null;
  roles: string[];
  deadlineMs: string;
  body: string;
}

function payload(timestamp: string, f: SignedFields): string {
  const bodyHash = createHash('sha256').update(f.body).digest('hex');
  return [timestamp, f.requestId, f.userId ?? '', f.roles.join(','), f.deadlineMs, bodyHash].join('\n');
}

/** Headers to add to an outgoing subgraph request. */
export function signHeaders(secret: string, f: SignedFields, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const signature = createHmac('sha256', secret).update(payload(timestamp, f)).digest('base64url');
  const headers: Record<string, string> = {
    [HEADERS.requestId]: f.requestId,
    [HEADERS.deadline]: f.deadlineMs,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signature,
  };
  if (f.userId) headers[HEADERS.userId] = f.userId;
  if (f.roles.length) headers[HEADERS.roles] = f.roles.join(',');
  return headers;
}

function one(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** True when the request carries a fresh, valid signature over exactly these headers and body. */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string, now = Date.now()): boolean {
  const timestamp = one(headers, TIMESTAMP_HEADER);
  const given = one(headers, SIGNATURE_HEADER);
  // Only the digits the gateway writes: `Number('abc')` is NaN, and NaN compares false with any skew.
  if (!/^\d{1,16}$/.test(timestamp) || !given || !(Math.abs(now - Number(timestamp)) <= MAX_SKEW_MS)) return false;
  const fields: SignedFields = {
    requestId: one(headers, HEADERS.requestId),
    userId: one(headers, HEADERS.userId) || null,
    roles: one(headers, HEADERS.roles)
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    deadlineMs: one(headers, HEADERS.deadline),
    body,
  };
  const expected = createHmac('sha256', secret).update(payload(timestamp, fields)).digest();
  const actual = Buffer.from(given, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
