import type { Principal } from '@ecom/platform/request-context';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { isKeySourceFailure, tokenKeys } from './token-keys.ts';

export const ANONYMOUS: Principal = { userId: null, roles: [] };

/** `unavailable`: the keys could not be fetched (JWKS down), an outage of ours rather than a bad token. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; message: string; unavailable?: boolean };

// Identity travels in headers and a comma-joined role list: keep both to plain tokens.
const SANE_SUBJECT = /^[\x21-\x7e]{1,128}$/;
const SANE_ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Clocks of the identity provider and the gateway may differ by this much (contract: 30 s). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * With a JWKS configured, the identity provider's subjects are the users; a token signed with the
 * shared HS256 secret names a subject in its own namespace, so whoever holds JWT_SECRET can never
 * mint an identity-provider user (and no provider subject can pose as a local one).
 */
export const LOCAL_SUBJECT_PREFIX = 'local:';

/**
 * How long a verified token is trusted without verifying it again: a shopper sends the same token
 * on every request, and verifying it each time costs CPU and two trips through WebCrypto's thread
 * pool, which is what an overloaded gateway's quick refusals waited behind. Bounded so that a key
 * withdrawn from the JWKS stops its tokens within a minute; a token's own `exp` still ends it at once.
 */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 50_000;

export interface TokenClaims {
  /** `iss` every token must carry, when set. */
  issuer?: string;
  /** `aud` every token must carry, when set. */
  audience?: string;
}

/**
 * `Authorization: Bearer <JWT>` → the principal. No header is anonymous; anything present but not
 * a valid, unexpired HS256 (or, with a JWKS, RS256) token with `exp`, a usable `sub` and, when
 * configured, the right `iss`/`aud` is refused rather than downgraded to anonymous, so a client
 * with a broken token learns so instead of silently losing its cart.
 */
export function createAuthenticator(jwtSecret: string, jwksUrl?: string, claims: TokenClaims = {}) {
  const keys = tokenKeys(jwtSecret, jwksUrl);
  const verifyOptions = {
    algorithms: keys.algorithms,
    requiredClaims: ['exp'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(claims.issuer ? { issuer: claims.issuer } : {}),
    ...(claims.audience ? { audience: claims.audience } : {}),
  };
  const verified = new LRUCache<string, { principal: Principal; expiresAt: number }>({ max: VERIFIED_MAX, ttl: VERIFIED_TTL_MS });
  return async function authenticate(authorization: string | undefined): Promise<AuthResult> {
    if (authorization === undefined) return { ok: true, principal: ANONYMOUS };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { ok: false, message: 'The Authorization header must be "Bearer <token>". Sign in again.' };
    const token = match[1]!;
    const known = verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAt) return { ok: true, principal: known.principal };
      verified.delete(token);
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(token, keys.getKey, verifyOptions);
      const { sub, roles } = payload;
      if (typeof sub !== 'string' || !SANE_SUBJECT.test(sub)) return { ok: false, message: 'The token has no usable subject. Sign in again.' };
      if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && SANE_ROLE.test(r)))) {
        return { ok: false, message: 'The token carries malformed roles. Sign in again.' };
      }
      const userId = subjectOf(sub, protectedHeader.alg === 'HS256', jwksUrl !== undefined);
      if (!userId) return { ok: false, message: 'The token has no usable subject. Sign in again.' };
      const principal: Principal = { userId, roles: (roles as string[] | undefined) ?? [] };
      // `exp` is required (verifyOptions), so a verified payload has it; past it (and the clock tolerance) the token is verified again, and refused.
      verified.set(token, { principal, expiresAt: (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000 });
      return { ok: true, principal };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { ok: false, message: 'The token has expired. Sign in again.' };
      if (err instanceof joseErrors.JWTClaimValidationFailed)
        return { ok: false, message: 'The token was not issued for this service. Sign in again.' };
      if (isKeySourceFailure(err)) return { ok: false, unavailable: true, message: 'Sign-in cannot be checked right now. Retry shortly.' };
      return { ok: false, message: 'The token is not valid. Sign in again.' };
    }
  };
}

/** The user a verified subject names; null when a provider's subject claims the local namespace. */
function subjectOf(sub: string, local: boolean, withJwks: boolean): string | null {
  if (!withJwks) return sub;
  if (local) return `${LOCAL_SUBJECT_PREFIX}${sub}`;
  return sub.startsWith(LOCAL_SUBJECT_PREFIX) ? null : sub;
}

/** A token as the gateway accepts it: for development (npm run token) and tests. */
export function mintToken(
  jwtSecret: string,
  sub: string,
  roles: string[] = [],
  expiresIn: string | number = '12h',
  claims: TokenClaims = {},
): Promise<string> {
  const jwt = new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt().setExpirationTime(expiresIn);
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(jwtSecret));
}
