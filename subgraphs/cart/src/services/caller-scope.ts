import type { Principal } from '@ecom/platform/request-context';

/**
 * Whose idempotency keys these are: the signed-in user, else the anonymous cart being changed.
 * An anonymous addToCart without a cartId has no cart yet and shares the `anonymous` scope: there
 * the key itself is the secret that replays the new cart (and its id), so addToCart refuses a key
 * weaker than 128 random bits (checkAnonymousKey).
 */
export function callerScope(principal: Principal, cartId?: string | null): string {
  if (principal.userId) return `user:${principal.userId}`;
  return cartId ? `cart:${cartId}` : 'anonymous';
}
