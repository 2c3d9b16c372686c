import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HEADERS } from './request-context.ts';
import type { CallerName } from './subgraph-names.ts';

/**
 * Subgraphs accept only signed requests. Each caller (the gateway, and the subgraphs that call
 * siblings) signs with a key of its own, named by a key id, over everything that gives the request
 * its meaning: method, path, the subgraph it is meant for, who signs, when, a nonce, the identity
 * headers and the body. A request signed for pricing is refused by inventory, one signed by cart
 * cannot pass for order's, and a captured request cannot be sent twice (replay-guard.ts).
 */
export const CALLER_HEADER = 'x-caller';
export const KEY_ID_HEADER = 'x-signature-kid';
export const TIMESTAMP_HEADER = 'x-signature-timestamp';
export const NONCE_HEADER = 'x-signature-nonce';
export const SIGNATURE_HEADER = 'x-signature';
/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const MAX_SKEW_MS = 60_000;

export interface SigningKey {
  kid: string;
  secret: string;
}

/** One caller's keys: the first signs, every one verifies, so a key is rotated without downtime. */
export type KeyRing = readonly SigningKey[];

/** The keys a subgraph verifies with, per caller it accepts; a caller absent here is refused. */
export type TrustedCallers = Partial<Record<CallerName, KeyRing>>;

export interface Signer {
  caller: CallerName;
  key: SigningKey;
}

/** The request being signed or checked, as the receiving subgraph sees it. */
export interface SignedRequest {
  method: string;
  /** Path and query string (the HTTP request target). */
  path: string;
  target: string;
}

export interface SignedFields {
  requestId: string;
  userId: string | null;
  roles: string[];
  deadlineMs: string;
  body: string;
}

interface Envelope {
  caller: string;
  kid: string;
  timestamp: string;
  nonce: string;
}

// A JSON array, not a joined string: no field's content can shift where another begins.
function payload(e: Envelope, r: SignedRequest, f: SignedFields): string {
  const bodyHash = createHash('sha256').update(f.body).digest('hex');
  return JSON.stringify([
    'ecom-request-v2',
    e.caller,
    e.kid,
    e.timestamp,
    e.nonce,
    r.method.toUpperCase(),
    r.path,
    r.target,
    f.requestId,
    f.userId ?? '',
    f.roles.join(','),
    f.deadlineMs,
    bodyHash,
  ]);
}

const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

/** Headers to add to an outgoing subgraph request. */
export function signHeaders(signer: Signer, request: SignedRequest, f: SignedFields, now = Date.now()): Record<string, string> {
  const envelope: Envelope = { caller: signer.caller, kid: signer.key.kid, timestamp: String(now), nonce: randomUUID() };
  const headers: Record<string, string> = {
    [HEADERS.requestId]: f.requestId,
    [HEADERS.deadline]: f.deadlineMs,
    [CALLER_HEADER]: envelope.caller,
    [KEY_ID_HEADER]: envelope.kid,
    [TIMESTAMP_HEADER]: envelope.timestamp,
    [NONCE_HEADER]: envelope.nonce,
    [SIGNATURE_HEADER]: mac(signer.key.secret, payload(envelope, request, f)).toString('base64url'),
  };
  if (f.userId) headers[HEADERS.userId] = f.userId;
  if (f.roles.length) headers[HEADERS.roles] = f.roles.join(',');
  return headers;
}

function one(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export interface VerifiedSignature {
  caller: CallerName;
  nonce: string;
  /** Epoch ms of the signature: the nonce need not be remembered beyond this plus MAX_SKEW_MS. */
  signedAt: number;
}

/**
 * The verified caller when the request carries a fresh signature, by a key of a caller this
 * subgraph trusts, over exactly this method, path, target, identity headers and body; else undefined.
 */
export function verifySignature(
  trusted: TrustedCallers,
  request: SignedRequest,
  headers: IncomingHttpHeaders,
  body: string,
  now = Date.now(),
): VerifiedSignature | undefined {
  const envelope: Envelope = {
    caller: one(headers, CALLER_HEADER),
    kid: one(headers, KEY_ID_HEADER),
    timestamp: one(headers, TIMESTAMP_HEADER),
    nonce: one(headers, NONCE_HEADER),
  };
  const given = one(headers, SIGNATURE_HEADER);
  // Only the digits a signer writes: `Number('abc')` is NaN, and NaN compares false with any skew.
  if (!/^\d{1,16}$/.test(envelope.timestamp) || !given || !(Math.abs(now - Number(envelope.timestamp)) <= MAX_SKEW_MS)) return undefined;
  if (!/^[\w-]{16,64}$/.test(envelope.nonce)) return undefined;
  const ring = Object.hasOwn(trusted, envelope.caller) ? trusted[envelope.caller as CallerName] : undefined;
  const key = ring?.find((k) => k.kid === envelope.kid);
  if (!key) return undefined;
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
  const expected = mac(key.secret, payload(envelope, request, fields));
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  return { caller: envelope.caller as CallerName, nonce: envelope.nonce, signedAt: Number(envelope.timestamp) };
}
