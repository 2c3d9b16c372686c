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
  lines: { lineId: string; variantId: string; sku: string; title: string; quantity: number; unitPrice: number; lineTotal: number }[];
}

/** Each outbox event's payload by event type. */
export interface OrderEventPayloads {
  'order.placed': { orderId: string; userId: string; cartId: string; lines: { lineId: string; quantity: number }[]; total: number; currency: string };
  'order.paid': { orderId: string; userId: string; paymentId: string | null; total: number; currency: string };
  'order.cancelled': { orderId: string; userId: string; from: 'PENDING_PAYMENT' | 'PAID'; reason: string | null; refunded: boolean };
  'order.expired': { orderId: string; userId: string; refunded: boolean };
}

export type OrderEventType = keyof OrderEventPayloads;
export type OrderEventPayload = OrderEventPayloads[OrderEventType];
