import {
  OrderCheckoutQuoteDocument,
  OrderCompleteCheckoutDocument,
  type OrderCheckoutQuoteQuery,
  type OrderCompleteCheckoutMutationVariables,
} from '../generated/cart-calls.ts';
import type { Caller } from './sibling-calls.ts';

/**
 * The cart's checkout quote as the registered call `OrderCheckoutQuote` reads it: the purchasable
 * lines with exactly the cost they make, and the unpriced lines left in the cart.
 */
export type CheckoutQuote = NonNullable<OrderCheckoutQuoteQuery['checkoutQuote']>;

/** The cart priced exactly as the buyer sees it; null for an unknown cart. */
export async function checkoutQuote(caller: Caller, cartId: string): Promise<CheckoutQuote | null> {
  const data = await caller.subgraphs.request('cart', OrderCheckoutQuoteDocument, { cartId }, caller.ctx);
  return data.checkoutQuote;
}

/** Removes exactly the ordered lines from the cart; idempotent per order. */
export async function completeCheckout(caller: Caller, input: OrderCompleteCheckoutMutationVariables['input']): Promise<void> {
  await caller.subgraphs.request('cart', OrderCompleteCheckoutDocument, { input }, caller.ctx);
}
