import { z } from 'zod';

/**
 * The payloads of the order's events, one schema per type and version: the source `schema:publish`
 * emits to the registry (`schema/events/<type>.v<version>.json`). Add fields freely; removing or
 * retyping one that a consumer reads needs a new version, and the old one stays published while
 * anyone reads it (`schema:check` holds both rules).
 */
const lineRef = z.object({ lineId: z.string(), quantity: z.number().int() });
const soldLine = z.object({ variantId: z.string(), quantity: z.number().int() });

export const ORDER_EVENT_SCHEMAS = {
  'order.placed': {
    1: z.object({
      orderId: z.string(),
      userId: z.string(),
      cartId: z.string(),
      lines: z.array(lineRef),
      total: z.number().int(),
      currency: z.string(),
    }),
  },
  'order.paid': {
    1: z.object({
      orderId: z.string(),
      userId: z.string(),
      paymentId: z.string().nullable(),
      total: z.number().int(),
      currency: z.string(),
      /** What was sold, per variant (product counts units sold from it). */
      lines: z.array(soldLine),
      /**
       * The coupon the order was discounted with (marketing counts redemptions from it); null
       * without one. Optional: events written before it was added lack it, and mean no coupon.
       */
      couponCode: z.string().nullable().optional(),
    }),
  },
  'order.cancelled': {
    1: z.object({
      orderId: z.string(),
      userId: z.string(),
      /** The status it was cancelled from: after payment (PAID) a sale is taken back. */
      from: z.enum(['PENDING_PAYMENT', 'PAID']),
      reason: z.string().nullable(),
      refunded: z.boolean(),
    }),
  },
  'order.expired': {
    1: z.object({ orderId: z.string(), userId: z.string(), refunded: z.boolean() }),
  },
} as const;

export type OrderEventType = keyof typeof ORDER_EVENT_SCHEMAS;

/** The version each type is written at now. */
export const ORDER_EVENT_VERSIONS: Record<OrderEventType, number> = {
  'order.placed': 1,
  'order.paid': 1,
  'order.cancelled': 1,
  'order.expired': 1,
};
