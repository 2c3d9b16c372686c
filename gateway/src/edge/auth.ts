import type { Principal } from '@ecom/platform/request-context';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { isKeySourceFailure, tokenKeys } from './token-keys.ts';

export const ANONYMOUS: Principal = { userId: null, roles: [] };

/** `unavailable`: the keys could not be fetched (JWKS down), an outage of ours rather than a bad token. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; message: string; unavailable?: boolean };

// Identity travels in headers and a comma-joined role list: keep both to plain tokens.
const SANE_SUBJECT = /^[\x21-\x7e]{1,128}$/;
const SANE_ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * `Authorization: Bearer <JWT>` → the principal. No header is anonymous; anything present but not
 * a valid, unexpired HS256 (or, with a JWKS, RS256) token with a usable `sub` is refused rather than downgraded to anonymous,
 * so a client with a broken token learns so instead of silently losing its cart.
 */
export function createAuthenticator(jwtSecret: string, jwksUrl?: string) {
  const keys = tokenKeys(jwtSecret, jwksUrl);
  return async function authenticate(authorization: string | undefined): Promise<AuthResult> {
    if (authorization === undefined) return { ok: true, principal: ANONYMOUS };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { ok: false, message: 'The Authorization header must be "Bearer <token>". Sign in again.' };
    try {
      const { payload } = await jwtVerify(match[1]!, keys.getKey, { algorithms: keys.algorithms });
      const { sub, roles } = payload;
      if (typeof sub !== 'string' || !SANE_SUBJECT.test(sub)) return { ok: false, message: 'The token has no usable subject. Sign in again.' };
      if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && SANE_ROLE.test(r)))) {
        return { ok: false, message: 'The token carries malformed roles. Sign in again.' };
      }
      return { ok: true, principal: { userId: sub, roles: (roles as string[] | undefined) ?? [] } };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { ok: false, message: 'The token has expired. Sign in again.' };
      if (isKeySourceFailure(err)) return { ok: false, unavailable: true, message: 'Sign-in cannot be checked right now. Retry shortly.' };
      return { ok: false, message: 'The token is not valid. Sign in again.' };
    }
  };
}

/** A token as the gateway accepts it: for development (npm run token) and tests. */
export function mintToken(jwtSecret: string, sub: string, roles: string[] = [], expiresIn: string | number = '12h'): Promise<string> {
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(jwtSecret));
}
