import { fault } from '@ecom/platform/errors';
import {
  OrderReserveStockDocument,
  Order_CommitStockDocument,
  Order_ReleaseStockDocument,
  Order_RestockOrderDocument,
  type OrderReserveStockMutation,
  type OrderReserveStockMutationVariables,
} from '../generated/inventory-calls.ts';
import type { Caller } from './sibling-calls.ts';

const STOCK_STATES = ['RESERVED', 'RELEASED', 'SOLD', 'RESTOCKED', 'NONE'] as const;
export type StockState = (typeof STOCK_STATES)[number];
/** Inventory's answer when a line cannot be reserved, as the registered call reads it. */
export type InsufficientStock = Extract<OrderReserveStockMutation['reserveStock'], { __typename: 'InsufficientStockError' }>;

/** Inventory's `state` is a String in its SDL: anything outside the known states is a fault, not a guess. */
function stockState(state: string): StockState {
  const known = STOCK_STATES.find((s) => s === state);
  if (!known) throw fault('INTERNAL', 'The inventory service answered a reservation state this order does not know.', { service: 'inventory' });
  return known;
}

/** All or nothing, idempotent per order id: a retry answers the reservation the first call made. */
export async function reserveStock(
  caller: Caller,
  input: OrderReserveStockMutationVariables['input'],
): Promise<{ state: StockState } | InsufficientStock> {
  const data = await caller.subgraphs.request('inventory', OrderReserveStockDocument, { input }, caller.ctx);
  const result = data.reserveStock;
  return result.__typename === 'StockOperation' ? { state: stockState(result.state) } : result;
}

/** RELEASED once released (or already released); SOLD when a payment committed first. */
export const releaseStock = async (caller: Caller, orderId: string): Promise<StockState> =>
  stockState((await caller.subgraphs.request('inventory', Order_ReleaseStockDocument, { input: { orderId } }, caller.ctx)).releaseStock.state);
/** SOLD once committed; RELEASED when the reservation was released first (the order cannot be paid). */
export const commitStock = async (caller: Caller, orderId: string): Promise<StockState> =>
  stockState((await caller.subgraphs.request('inventory', Order_CommitStockDocument, { input: { orderId } }, caller.ctx)).commitStock.state);
/** RESTOCKED once sold units are back on hand. */
export const restockOrder = async (caller: Caller, orderId: string): Promise<StockState> =>
  stockState((await caller.subgraphs.request('inventory', Order_RestockOrderDocument, { input: { orderId } }, caller.ctx)).restockOrder.state);
