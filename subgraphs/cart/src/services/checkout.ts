import { invalidArgument } from '@ecom/platform/errors';
import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import { bumpVersion, cartsByIds, checkoutOfOrder, deleteLines, linesOfCart, lockCart, recordCheckout, setLineQuantity } from '../db/carts.ts';
import type { CheckoutQuote } from '../generated/resolvers-types.ts';
import type { CartEnv } from './cart-env.ts';
import { quoteCart } from './cart-quote.ts';
import { toSnapshot } from './cart-snapshot.ts';

/**
 * For the order saga: the open cart priced by the very computation behind Cart.cost. Ownership is
 * reported, not enforced: the order subgraph decides who may check a cart out.
 */
export async function checkoutQuote(env: CartEnv, cartId: string): Promise<CheckoutQuote | null> {
  const [cart] = await cartsByIds(env.db, [cartId]);
  if (!cart || cart.status !== 'OPEN') return null;
  const snapshot = toSnapshot(cart, await linesOfCart(env.db, cart.id));
  const quote = await withSiblingFaults(quoteCart(env.subgraphs, env, snapshot));
  return {
    cartId: cart.id,
    ownerId: cart.ownerUserId,
    version: cart.version,
    // Only a coupon the cost was discounted with: the order records it and marketing counts it redeemed.
    couponCode: quote.coupon === 'APPLIED' ? cart.couponCode : null,
    lines: quote.lines,
    unpricedLineIds: quote.unpricedLineIds,
    cost: quote.cost,
  };
}

export interface CompleteCheckoutInput {
  cartId: string;
  orderId: string;
  lines: { lineId: string; quantity: number }[];
}

export interface CheckoutCompletion {
  cartId: string;
  orderId: string;
}

/**
 * Takes out of the cart exactly what the order bought: each line loses the ordered quantity (and
 * goes when none is left), the coupon is used up. Lines added after the quote stay. Recording the
 * order id in the same transaction makes a repeat for that order a no-op with the same answer.
 */
export async function completeCheckout(env: Pick<CartEnv, 'db'>, input: CompleteCheckoutInput): Promise<CheckoutCompletion> {
  input.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) throw invalidArgument('Ordered quantities must be positive.', `input.lines.${i}.quantity`);
  });
  return env.db.transaction(async (tx) => {
    if (!(await recordCheckout(tx, { orderId: input.orderId, cartId: input.cartId }))) {
      const done = await checkoutOfOrder(tx, input.orderId);
      return { cartId: done!.cartId, orderId: input.orderId };
    }
    const cart = await lockCart(tx, input.cartId);
    if (!cart) return { cartId: input.cartId, orderId: input.orderId };
    const ordered = new Map<string, number>();
    for (const l of input.lines) ordered.set(l.lineId, (ordered.get(l.lineId) ?? 0) + l.quantity);
    const gone: string[] = [];
    for (const line of await linesOfCart(tx, cart.id)) {
      const bought = ordered.get(line.id);
      if (bought === undefined) continue;
      if (line.quantity <= bought) gone.push(line.id);
      else await setLineQuantity(tx, cart.id, line.id, line.quantity - bought);
    }
    await deleteLines(tx, cart.id, gone);
    await bumpVersion(tx, cart.id, { couponCode: null });
    return { cartId: cart.id, orderId: input.orderId };
  });
}
