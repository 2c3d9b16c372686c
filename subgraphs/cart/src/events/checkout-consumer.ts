import type { ConsumerDefinition } from '@ecom/platform/events/consumer-definition';
import { applyOnce } from '@ecom/platform/events/inbox';
import type { CartDb } from '../db/carts.ts';
import { inbox } from '../db/schema.ts';
import { completeCheckout, type CompleteCheckoutInput } from '../services/checkout.ts';
import { CART_READS } from './reads.ts';

/**
 * Closes a checked-out cart from `order.placed`: the ordered quantities leave the cart, the coupon is
 * used up. The order's relay still makes the same call directly before it publishes the event (the
 * shopper sees an empty cart as soon as possible); whichever arrives second finds the checkout
 * recorded and changes nothing.
 */
export function checkoutConsumer(db: CartDb): ConsumerDefinition {
  return {
    name: 'cart',
    reads: CART_READS,
    handle: (event) =>
      applyOnce(db, inbox, event, async (tx) => {
        const p = event.payload as unknown as CompleteCheckoutInput;
        await completeCheckout({ db: tx }, { cartId: p.cartId, orderId: p.orderId, lines: p.lines });
      }),
  };
}
