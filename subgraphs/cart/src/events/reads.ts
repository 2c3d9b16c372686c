import type { EventRead } from '@ecom/platform/events/consumer-definition';

/** What cart reads of the order's events; `schema:check` fails a registry change that breaks it. */
export const CART_READS: EventRead[] = [
  { type: 'order.placed', version: 1, fields: ['orderId', 'cartId', 'lines', 'lines[].lineId', 'lines[].quantity'] },
];
