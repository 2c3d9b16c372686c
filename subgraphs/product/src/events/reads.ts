import type { EventRead } from '@ecom/platform/events/consumer-definition';

/** What product reads of the order's events; `schema:check` fails a registry change that breaks it. */
export const PRODUCT_READS: EventRead[] = [
  { type: 'order.paid', version: 1, fields: ['orderId', 'lines', 'lines[].variantId', 'lines[].quantity'] },
  { type: 'order.cancelled', version: 1, fields: ['orderId', 'from'] },
];
