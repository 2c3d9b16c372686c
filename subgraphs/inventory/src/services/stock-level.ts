import type { StockLevelRow } from '../db/schema.ts';

export type StockStatus = 'IN_STOCK' | 'LOW_STOCK' | 'OUT_OF_STOCK';

/** The contract's LOW_STOCK band is 1 to this many units available. */
export const LOW_STOCK_MAX = 5;

export function stockStatus(available: number): StockStatus {
  if (available <= 0) return 'OUT_OF_STOCK';
  return available <= LOW_STOCK_MAX ? 'LOW_STOCK' : 'IN_STOCK';
}

/** Plain JSON with its type name: adjustStock stores it as an idempotent result and replays it. */
export type StockLevel = {
  __typename: 'StockLevel';
  variantId: string;
  onHand: number;
  reserved: number;
  available: number;
  status: StockStatus;
};

export function toStockLevel(row: Pick<StockLevelRow, 'variantId' | 'onHand' | 'reserved'>): StockLevel {
  const available = row.onHand - row.reserved;
  return {
    __typename: 'StockLevel',
    variantId: row.variantId,
    onHand: row.onHand,
    reserved: row.reserved,
    available,
    status: stockStatus(available),
  };
}

export interface Availability {
  status: StockStatus;
  available: number;
}

export const toAvailability = (available: number): Availability => ({ available, status: stockStatus(available) });
