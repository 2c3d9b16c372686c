import { gaugeFromReader, orderEvents, outboxBacklogAge } from '@ecom/platform/metrics';
import { oldestUnpublishedAt } from '../db/outbox.ts';
import type { OrderDb } from '../db/orders.ts';

/** `graph_outbox_backlog_age_seconds`, read at scrape time: 0 when everything is published. */
export function exportOutboxBacklog(db: OrderDb): { stop(): void } {
  return {
    stop: gaugeFromReader(outboxBacklogAge, async () => {
      const oldest = await oldestUnpublishedAt(db);
      return oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
    }),
  };
}

/**
 * `graph_orders_total{event}`: counted when the event is published, i.e. once its transaction has
 * committed and exactly once across relays (only the one whose markPublished won counts it).
 */
export function countOrderEvent(type: string): void {
  orderEvents.inc({ event: type.replace(/^order\./, '') });
}
