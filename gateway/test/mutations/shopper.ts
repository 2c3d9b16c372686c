import { randomUUID } from 'node:crypto';
import { demoProducts } from '@ecom/platform/demo-catalog';
import { expect } from 'vitest';
import type { Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';

/** The registered client operations the shopper and the back office send. */
export const OPS = {
  addToCart: operation('web/AddToCart'),
  mobileAddToCart: operation('mobile/MobileAddToCart'),
  updateCartLine: operation('web/UpdateCartLine'),
  removeCartLine: operation('web/RemoveCartLine'),
  mergeCart: operation('web/MergeCart'),
  applyCoupon: operation('web/ApplyCoupon'),
  cart: operation('web/Cart'),
  placeOrder: operation('web/PlaceOrder'),
  mobilePlaceOrder: operation('mobile/MobilePlaceOrder'),
  payOrder: operation('web/PayOrder'),
  cancelOrder: operation('web/CancelOrder'),
  order: operation('web/Order'),
  myOrders: operation('web/MyOrders'),
  adjustStock: operation('backoffice/AdjustStock'),
} as const;

export interface Money {
  amount: number;
  currency: string;
}

export interface Cost {
  subtotal: Money;
  discount: Money;
  shipping: Money;
  total: Money;
}

export interface CartView {
  __typename: 'Cart';
  id: string;
  version: number;
  lines: { id: string; quantity: number; variant: { id: string; sku: string; title: string; product: { title: string } } }[];
  appliedPromotions: { id: string; title: string; amount: Money }[] | null;
  cost: Cost | null;
}

export interface OrderView {
  __typename: 'Order';
  id: string;
  status: 'PENDING_PAYMENT' | 'PAID' | 'CANCELLED' | 'EXPIRED';
  createdAt: string;
  reservationExpiresAt: string | null;
  lines: { id: string; variantId: string; sku: string; title: string; quantity: number; unitPrice: Money; lineTotal: Money }[];
  cost: Cost;
}

/** Any union member: the success type's fields or a DomainError's. */
export type Result = { __typename: string; code?: string; message?: string; retryable?: boolean; [field: string]: unknown };

export const ADDRESS = { name: 'Li Lei', line1: '1 Nanjing Road', city: 'Shanghai', postalCode: '200001', country: 'CN' };

/** Sends a registered mutation through the gateway and answers its union member; a fault fails the test. */
export async function mutate<T extends Result = Result>(
  graph: Graph,
  op: keyof typeof OPS,
  input: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const res = await graph.request<Record<string, T>>(OPS[op], { input: { idempotencyKey: randomUUID(), ...input } }, { token });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  const data = res.body.data!;
  return Object.values(data)[0]!;
}

export async function mutateOk<T extends Result>(graph: Graph, op: keyof typeof OPS, input: Record<string, unknown>, token?: string): Promise<T> {
  const result = await mutate<T>(graph, op, input, token);
  expect(['Cart', 'Order', 'StockLevel'], JSON.stringify(result)).toContain(result.__typename);
  return result;
}

export async function readCart(graph: Graph, id: string, token?: string): Promise<CartView | null> {
  const res = await graph.request<{ cart: CartView | null }>(OPS.cart, { id }, { token });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.cart;
}

export async function readOrder(graph: Graph, id: string, token: string): Promise<OrderView | null> {
  const res = await graph.request<{ order: OrderView | null }>(OPS.order, { id }, { token });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.order;
}

export async function myOrders(graph: Graph, token: string): Promise<OrderView[]> {
  const out: OrderView[] = [];
  let after: string | null = null;
  for (;;) {
    const res: {
      body: {
        data?: { myOrders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: OrderView }[] } } | null;
        errors?: unknown[];
      };
    } = await graph.request(OPS.myOrders, { first: 100, after }, { token });
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    out.push(...res.body.data!.myOrders.edges.map((e) => e.node));
    if (!res.body.data!.myOrders.pageInfo.hasNextPage) return out;
    after = res.body.data!.myOrders.pageInfo.endCursor;
  }
}

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

/** Stock as inventory keeps it (asked of the subgraph directly: the assertion, not the flow under test). */
export async function stockOf(graph: Graph, variantId: string): Promise<StockLevel> {
  const res = await graph.subgraphs.inventory.call<{ stockLevel: StockLevel }>(
    `query ($v: ID!) { stockLevel(variantId: $v) { onHand reserved available } }`,
    { v: variantId },
  );
  return res.data!.stockLevel;
}

/** Demo variants with at least `min` available: tests pick by stock, not by seed arithmetic. */
export async function variantsInStock(graph: Graph, min: number): Promise<string[]> {
  const ids = demoProducts().flatMap((p) => p.variants.map((v) => v.id));
  const res = await graph.subgraphs.inventory.call<{ _entities: { id: string; stock: { available: number } | null }[] }>(
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Variant { id stock { available } } } }`,
    { r: ids.map((id) => ({ __typename: 'Variant', id })) },
  );
  return res.data!._entities.filter((e) => (e.stock?.available ?? 0) >= min).map((e) => e.id);
}

/** Brings a variant to exactly `available` units through the back office's own operation. */
export async function setAvailable(graph: Graph, variantId: string, available: number): Promise<StockLevel> {
  const before = await stockOf(graph, variantId);
  const admin = await graph.token('backoffice-admin', ['admin']);
  return mutateOk<Result & StockLevel>(graph, 'adjustStock', { variantId, delta: available - before.available, reason: 'test setup' }, admin);
}

/** A signed-in shopper with a cart holding `quantity` of `variantId`. */
export async function shopperWithCart(graph: Graph, name: string, variantId: string, quantity: number) {
  const token = await graph.token(`${name}-${randomUUID().slice(0, 8)}`);
  const cart = await mutateOk<CartView & Result>(graph, 'addToCart', { variantId, quantity }, token);
  return { token, cart };
}

/** Polls until `check` passes or the time runs out (for what the background does unaided). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
