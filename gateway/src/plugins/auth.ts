import type { Principal } from '@ecom/platform/request-context';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export const ANONYMOUS: Principal = { userId: null, roles: [] };

export type AuthResult = { ok: true; principal: Principal } | { ok: false; message: string };

// Identity travels in headers and a comma-joined role list: keep both to plain tokens.
const SANE_SUBJECT = /^[\x21-\x7e]{1,128}$/;
const SANE_ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * `Authorization: Bearer <JWT>` → the principal. No header is anonymous; anything present but not
 * a valid, unexpired HS256 token with a usable `sub` is refused rather than downgraded to anonymous,
 * so a client with a broken token learns so instead of silently losing its cart.
 */
export function createAuthenticator(jwtSecret: string) {
  const key = new TextEncoder().encode(jwtSecret);
  return async function authenticate(authorization: string | undefined): Promise<AuthResult> {
    if (authorization === undefined) return { ok: true, principal: ANONYMOUS };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { ok: false, message: 'The Authorization header must be "Bearer <token>". Sign in again.' };
    try {
      const { payload } = await jwtVerify(match[1]!, key, { algorithms: ['HS256'] });
      const { sub, roles } = payload;
      if (typeof sub !== 'string' || !SANE_SUBJECT.test(sub)) return { ok: false, message: 'The token has no usable subject. Sign in again.' };
      if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && SANE_ROLE.test(r)))) {
        return { ok: false, message: 'The token carries malformed roles. Sign in again.' };
      }
      return { ok: true, principal: { userId: sub, roles: (roles as string[] | undefined) ?? [] } };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { ok: false, message: 'The token has expired. Sign in again.' };
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
