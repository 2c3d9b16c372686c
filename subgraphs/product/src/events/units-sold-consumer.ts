import type { Db } from '@ecom/platform/db';
import type { ConsumerDefinition } from '@ecom/platform/events/consumer-definition';
import { applyOnce } from '@ecom/platform/events/inbox';
import type * as schema from '../db/schema.ts';
import { inbox } from '../db/schema.ts';
import { recordSale, reverseSale } from '../db/units-sold.ts';
import { PRODUCT_READS } from './reads.ts';

interface PaidPayload {
  orderId: string;
  lines: { variantId: string; quantity: number }[];
}
interface CancelledPayload {
  orderId: string;
  from: 'PENDING_PAYMENT' | 'PAID';
}

/**
 * `Product.unitsSold` (and so BEST_SELLING) follows real sales: a paid order raises it, a
 * cancellation after payment lowers it again. Each event applies once (the inbox row commits with
 * the change).
 */
export function unitsSoldConsumer(db: Db<typeof schema>): ConsumerDefinition {
  return {
    name: 'product',
    reads: PRODUCT_READS,
    handle: (event) =>
      applyOnce(db, inbox, event, async (tx) => {
        if (event.type === 'order.paid') {
          const p = event.payload as unknown as PaidPayload;
          await recordSale(tx, p.orderId, p.lines);
        } else if (event.type === 'order.cancelled') {
          const p = event.payload as unknown as CancelledPayload;
          if (p.from === 'PAID') await reverseSale(tx, p.orderId, new Date());
        }
      }),
  };
}
