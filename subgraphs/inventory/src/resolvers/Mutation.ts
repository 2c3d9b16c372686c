import type { InventoryContext } from '../context.ts';
import { adjustStock, type AdjustStockInput } from '../services/adjust-stock.ts';
import { commitStock, releaseStock, reserveStock, restockOrder, type ReserveStockInput } from '../services/stock-operations.ts';

type OrderStockArgs = { input: { orderId: string } };

export const Mutation = {
  adjustStock: (_: unknown, args: { input: AdjustStockInput }, ctx: InventoryContext) => adjustStock(ctx.db, ctx.principal, args.input),
  // Internal (@inaccessible): see services/stock-operations.ts for who may call and why.
  reserveStock: (_: unknown, args: { input: ReserveStockInput }, ctx: InventoryContext) => reserveStock(ctx.db, args.input),
  releaseStock: (_: unknown, args: OrderStockArgs, ctx: InventoryContext) => releaseStock(ctx.db, args.input.orderId),
  commitStock: (_: unknown, args: OrderStockArgs, ctx: InventoryContext) => commitStock(ctx.db, args.input.orderId),
  restockOrder: (_: unknown, args: OrderStockArgs, ctx: InventoryContext) => restockOrder(ctx.db, args.input.orderId),
};
