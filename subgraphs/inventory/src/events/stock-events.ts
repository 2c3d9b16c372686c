import { z } from 'zod';
import { stockStatus } from '../services/stock-level.ts';

/**
 * The inventory's events, one schema per type and version (emitted to the registry by
 * `schema:publish`). The aggregate is the variant, so a variant's events arrive in order.
 */
export const STOCK_EVENT_SCHEMAS = {
  'stock.low': {
    1: z.object({ variantId: z.string(), productId: z.string(), available: z.number().int() }),
  },
  'stock.depleted': {
    1: z.object({ variantId: z.string(), productId: z.string() }),
  },
} as const;

export type StockEventType = keyof typeof STOCK_EVENT_SCHEMAS;
export const STOCK_EVENT_VERSIONS: Record<StockEventType, number> = { 'stock.low': 1, 'stock.depleted': 1 };

/** The event a change of available units raises: only when it crosses into LOW_STOCK or OUT_OF_STOCK. */
export function stockCrossing(before: number, after: number): StockEventType | undefined {
  const [was, is] = [stockStatus(before), stockStatus(after)];
  if (was === is) return undefined;
  if (is === 'LOW_STOCK') return 'stock.low';
  if (is === 'OUT_OF_STOCK') return 'stock.depleted';
  return undefined;
}
