import { orderEvents } from '@ecom/platform/metrics';

/**
 * `graph_orders_total{event}`: counted when the event is published, i.e. once its transaction has
 * committed and exactly once across relays (only the one whose markPublished won counts it).
 */
export function countOrderEvent(type: string): void {
  orderEvents.inc({ event: type.replace(/^order\./, '') });
}
