import type { Caller, Money } from './sibling-calls.ts';

export interface CheckoutQuote {
  cartId: string;
  ownerId: string | null;
  version: number;
  couponCode: string | null;
  /** The purchasable lines; the cost covers exactly these. */
  lines: { lineId: string; variantId: string; shopId: string; quantity: number; unitPrice: Money; lineTotal: Money }[];
  /** Lines without a current price: not purchasable, left in the cart. */
  unpricedLineIds: string[];
  cost: { subtotal: Money; discount: Money; shipping: Money; total: Money };
}

const QUOTE = /* GraphQL */ `
  query OrderCheckoutQuote($cartId: ID!) {
    checkoutQuote(cartId: $cartId) {
      cartId
      ownerId
      version
      couponCode
      lines {
        lineId
        variantId
        shopId
        quantity
        unitPrice { amount currency }
        lineTotal { amount currency }
      }
      unpricedLineIds
      cost {
        subtotal { amount currency }
        discount { amount currency }
        shipping { amount currency }
        total { amount currency }
      }
    }
  }
`;

const COMPLETE = /* GraphQL */ `
  mutation OrderCompleteCheckout($input: CompleteCheckoutInput!) {
    completeCheckout(input: $input) { cartId orderId }
  }
`;

/** The cart priced exactly as the buyer sees it; null for an unknown cart. */
export async function checkoutQuote(caller: Caller, cartId: string): Promise<CheckoutQuote | null> {
  const data = await caller.subgraphs.request<{ checkoutQuote: CheckoutQuote | null }>('cart', QUOTE, { cartId }, caller.ctx);
  return data.checkoutQuote;
}

/** Removes exactly the ordered lines from the cart; idempotent per order. */
export async function completeCheckout(
  caller: Caller,
  input: { cartId: string; orderId: string; lines: { lineId: string; quantity: number }[] },
): Promise<void> {
  await caller.subgraphs.request('cart', COMPLETE, { input }, caller.ctx);
}
