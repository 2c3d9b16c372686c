import { fault, invalidArgument } from '@ecom/platform/errors';
import { ordersPage } from '../db/orders.ts';
import type { OrderContext } from '../context.ts';
import { lineView, orderView, type OrderLineView, type OrderView } from './order-view.ts';

export const MAX_PAGE_SIZE = 100;

export interface MyOrdersArgs {
  first: number;
  after?: string | null;
}

export interface OrderPage {
  edges: { cursor: string; node: OrderView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Null for an unknown id, for another user's order, and for anonymous callers. */
export async function findOrder(ctx: OrderContext, id: string): Promise<OrderView | null> {
  const userId = ctx.principal.userId;
  if (!userId) return null;
  const row = await ctx.loaders.order.load(id);
  return row && row.userId === userId ? orderView(row) : null;
}

/** Lines of a view read without them, batched across every order of the response. */
export async function linesOf(ctx: OrderContext, order: OrderView): Promise<OrderLineView[]> {
  if (order.lines) return order.lines;
  const rows = await ctx.loaders.linesOfOrder.load(order.id);
  return rows.map((r) => lineView(r, order.cost.total.currency));
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && typeof decoded[0] === 'string' && typeof decoded[1] === 'string') {
      const createdAt = new Date(decoded[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: decoded[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw invalidArgument('The cursor is not valid for this listing. Start again without `after`.', 'after');
}

/** The caller's orders, newest first, as a keyset-paged connection. */
export async function myOrders(ctx: OrderContext, args: MyOrdersArgs): Promise<OrderPage> {
  const userId = ctx.principal.userId;
  if (!userId) throw fault('UNAUTHENTICATED', 'Sign in to see your orders.');
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw invalidArgument(`first must be between 1 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  const after = args.after ? decodeCursor(args.after) : undefined;
  const rows = await ordersPage(ctx.db, userId, args.first + 1, after);
  const page = rows.slice(0, args.first);
  const edges = page.map((row) => {
    ctx.loaders.order.prime(row.id, row);
    return { node: orderView(row), cursor: encodeCursor(row.createdAt.toISOString(), row.id) };
  });
  return { edges, pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null } };
}
