import type { z } from 'zod';
import type { ORDER_EVENT_SCHEMAS } from '../events/order-events.ts';

/**
 * The shapes stored in this subgraph's jsonb columns, typed on the columns themselves
 * (`$type<…>()`), so what is written and what is read back agree without casts.
 */

/** What one placeOrder attempt decided before reserving; a retry of the same key reuses it verbatim. */
export interface CheckoutPlan {
  cartId: string;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
  /** The coupon the quote applied; absent in plans stored before it was recorded. */
  couponCode?: string | null;
  lines: { lineId: string; variantId: string; sku: string; title: string; quantity: number; unitPrice: number; lineTotal: number }[];
}

/** Each outbox event's payload by event type, as the registry's current version describes it. */
export type OrderEventPayloads = { [K in keyof typeof ORDER_EVENT_SCHEMAS]: z.infer<(typeof ORDER_EVENT_SCHEMAS)[K][1]> };

export type OrderEventType = keyof OrderEventPayloads;
export type OrderEventPayload = OrderEventPayloads[OrderEventType];
