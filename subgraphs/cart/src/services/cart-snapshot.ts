import type { Principal } from '@ecom/platform/request-context';
import { cartsByIds, linesOfCart, type CartDb } from '../db/carts.ts';
import type { CartLineRow, CartRow } from '../db/schema.ts';

export interface CartSnapshotLine {
  id: string;
  quantity: number;
  variantId: string;
}

/**
 * What Query.cart and every cart mutation answer with. Plain JSON: the idempotency layer stores it
 * and replays it, and the Cart resolvers work from it (cost is always computed live from `lines`).
 */
// A type alias, not an interface: the idempotency layer stores plain records.
export type CartSnapshot = {
  __typename: 'Cart';
  id: string;
  version: number;
  ownerUserId: string | null;
  couponCode: string | null;
  lines: CartSnapshotLine[];
};

export function toSnapshot(cart: CartRow, lines: readonly CartLineRow[]): CartSnapshot {
  return {
    __typename: 'Cart',
    id: cart.id,
    version: cart.version,
    ownerUserId: cart.ownerUserId,
    couponCode: cart.couponCode,
    lines: lines.map((l) => ({ id: l.id, quantity: l.quantity, variantId: l.variantId })),
  };
}

/** The cart as it stands inside the transaction that just changed it. */
export async function readSnapshot(tx: CartDb, cartId: string): Promise<CartSnapshot> {
  const [[cart], lines] = await Promise.all([cartsByIds(tx, [cartId]), linesOfCart(tx, cartId)]);
  return toSnapshot(cart!, lines);
}

/** Anonymous carts are readable by whoever holds the id; a user's cart only by that user. */
export function isVisibleTo(cart: CartRow, principal: Principal): boolean {
  return cart.status === 'OPEN' && (cart.ownerUserId === null || cart.ownerUserId === principal.userId);
}
