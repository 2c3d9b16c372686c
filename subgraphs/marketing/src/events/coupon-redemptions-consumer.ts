import type { ConsumerDefinition } from '@ecom/platform/events/consumer-definition';
import { applyOnce } from '@ecom/platform/events/inbox';
import { giveBackRedemption, recordRedemption, type MarketingDb } from '../db/promotions.ts';
import { inbox } from '../db/schema.ts';
import { MARKETING_READS } from './reads.ts';

interface PaidPayload {
  orderId: string;
  userId: string;
  couponCode?: string | null;
}
interface CancelledPayload {
  orderId: string;
  from: 'PENDING_PAYMENT' | 'PAID';
}

/**
 * Coupon redemptions follow payments: a paid order that used a coupon redeems it (counted against
 * its cap, and against its user for a once-per-user coupon); a cancellation after payment gives the
 * redemption back, so the shopper may use the coupon again. Each event applies once (the inbox row
 * commits with the change).
 */
export function couponRedemptionsConsumer(db: MarketingDb): ConsumerDefinition {
  return {
    name: 'marketing',
    reads: MARKETING_READS,
    handle: (event) =>
      applyOnce(db, inbox, event, async (tx) => {
        if (event.type === 'order.paid') {
          const p = event.payload as unknown as PaidPayload;
          if (p.couponCode)
            await recordRedemption(tx, { orderId: p.orderId, code: p.couponCode, userId: p.userId, redeemedAt: new Date(event.occurredAt) });
        } else if (event.type === 'order.cancelled') {
          const p = event.payload as unknown as CancelledPayload;
          if (p.from === 'PAID') await giveBackRedemption(tx, p.orderId);
        }
      }),
  };
}
