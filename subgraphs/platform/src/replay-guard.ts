import { MAX_SKEW_MS, type VerifiedSignature } from './gateway-credential.ts';

/** Nonces remembered at most; past this the oldest are forgotten (about 800 signed requests/s a minute). */
const MAX_REMEMBERED = 100_000;

/**
 * Refuses a signed request whose nonce this process has already accepted. A nonce only needs
 * remembering while its signature is fresh (MAX_SKEW_MS either side), after which the timestamp
 * check refuses the replay anyway. Per process: a replay to another replica inside the window is
 * not caught here (README "Edge").
 */
export function createReplayGuard(maxRemembered = MAX_REMEMBERED): { firstUse(signature: VerifiedSignature, now?: number): boolean } {
  // Insertion order is roughly expiry order, so the oldest entries are at the front.
  const seen = new Map<string, number>();
  return {
    firstUse(signature, now = Date.now()) {
      const key = `${signature.caller}:${signature.nonce}`;
      for (const [k, forgetAt] of seen) {
        if (forgetAt > now && seen.size < maxRemembered) break;
        seen.delete(k);
      }
      if (seen.has(key)) return false;
      seen.set(key, signature.signedAt + 2 * MAX_SKEW_MS);
      return true;
    },
  };
}
