import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';

export interface TokenKeys {
  getKey: JWTVerifyGetKey;
  algorithms: string[];
}

const JWKS_TIMEOUT_MS = 2_000;
/** An unknown `kid` refetches the key set at most this often, so forged kids cannot make us hammer the IdP. */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;

/**
 * HS256 with the shared `JWT_SECRET` always; RS256 against a JWKS (an identity provider's published
 * keys) when `JWKS_URL` is set. jose refuses any other `alg` (none, HS512, ES256…) before a key is
 * looked up, and each algorithm only ever gets its own kind of key, so an RS256 public key can
 * never be replayed as an HMAC secret.
 */
export function tokenKeys(jwtSecret: string, jwksUrl?: string): TokenKeys {
  const secret = new TextEncoder().encode(jwtSecret);
  const jwks = jwksUrl
    ? createRemoteJWKSet(new URL(jwksUrl), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        cooldownDuration: JWKS_COOLDOWN_MS,
        cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      })
    : undefined;
  return {
    algorithms: jwks ? ['HS256', 'RS256'] : ['HS256'],
    getKey: (header, token) => (header.alg === 'RS256' && jwks ? jwks(header, token) : secret),
  };
}

/** The key set could not be fetched or read: our outage, not a bad token, so not a reason to sign out. */
export function isKeySourceFailure(err: unknown): boolean {
  return err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError);
}
