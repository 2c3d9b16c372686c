import type { EventRead } from '@ecom/platform/events/consumer-definition';

/** What marketing reads of the order's events; `schema:check` fails a registry change that breaks it. */
export const MARKETING_READS: EventRead[] = [
  // couponCode is absent from order.paid events written before it was added: those used no coupon.
  { type: 'order.paid', version: 1, fields: ['orderId', 'userId'], optional: ['couponCode'] },
  { type: 'order.cancelled', version: 1, fields: ['orderId', 'from'] },
];
