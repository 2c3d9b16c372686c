import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoProducts } from '@ecom/platform/demo-catalog';
import type { SubgraphName } from '@ecom/platform/env';
import type { FaultInjection } from '@ecom/platform/fault-injection';
import { DEAD_URL, startSubgraphs, type AnyTestSubgraph, type CallAs, type TestSubgraph } from '@ecom/platform/testing';
import { cartSubgraph } from '@ecom/cart/server';
import { inventorySubgraph } from '@ecom/inventory/server';
import { marketingSubgraph } from '@ecom/marketing/server';
import { pricingSubgraph } from '@ecom/pricing/server';
import { productSubgraph } from '@ecom/product/server';
import type * as schema from '../src/db/schema.ts';
import type { Money } from '../src/generated/resolvers-types.ts';
import { orderSubgraph } from '../src/server.ts';

export { DEAD_URL };

type AnySubgraph = AnyTestSubgraph;

export interface OrderGraph {
  order: TestSubgraph<typeof schema>;
  cart: AnySubgraph;
  inventory: AnySubgraph;
  /** The order subgraph's settings object, read per request: tests change them on the running subgraph. */
  settings: Record<string, unknown>;
  /** The order subgraph's fault injection: tests arm and disarm the sagas' failpoints on it. */
  faults: FaultInjection;
  /** Read at request time: tests repoint a sibling to take it down and bring it back. */
  urls: Record<SubgraphName, string>;
  dispose(): Promise<void>;
}

/** The order subgraph next to every real sibling its saga calls (and theirs), each on a fresh database. */
export async function startOrderGraph(settings: Record<string, unknown> = {}): Promise<OrderGraph> {
  const { subgraphs, urls, dispose } = await startSubgraphs(
    {
      product: productSubgraph,
      pricing: pricingSubgraph,
      marketing: marketingSubgraph,
      inventory: inventorySubgraph,
      cart: cartSubgraph,
      order: orderSubgraph,
    },
    { settings: { order: settings } },
  );
  const order = subgraphs.order as unknown as TestSubgraph<typeof schema>;
  return { order, cart: subgraphs.cart, inventory: subgraphs.inventory, settings, faults: order.deps.faults, urls, dispose };
}

export interface OrderResult {
  __typename: string;
  id: string;
  status: string;
  createdAt: string;
  reservationExpiresAt: string | null;
  lines: { id: string; variantId: string; sku: string; title: string; quantity: number; unitPrice: Money; lineTotal: Money }[];
  cost: { subtotal: Money; discount: Money; shipping: Money; total: Money };
  shippingAddress: { name: string; line1: string; line2: string | null; city: string; postalCode: string; country: string; phone: string | null };
  code: string;
  message: string;
  retryable: boolean;
  field?: string;
  variantId?: string;
  available?: number;
  expectedTotal?: Money;
  actualTotal?: Money;
  limit?: number;
}

const ORDER_FIELDS = /* GraphQL */ `
  fragment O on Order {
    id
    status
    createdAt
    reservationExpiresAt
    lines {
      id
      variantId
      sku
      title
      quantity
      unitPrice {
        amount
        currency
      }
      lineTotal {
        amount
        currency
      }
    }
    cost {
      subtotal {
        amount
        currency
      }
      discount {
        amount
        currency
      }
      shipping {
        amount
        currency
      }
      total {
        amount
        currency
      }
    }
    shippingAddress {
      name
      line1
      line2
      city
      postalCode
      country
      phone
    }
  }
`;
const RESULT = /* GraphQL */ `
  __typename
  ... on Order { ...O }
  ... on DomainError { code message retryable }
  ... on ValidationError { field }
`;
const PLACE_RESULT = /* GraphQL */ `
  ${RESULT}
  ... on InsufficientStockError { variantId available }
  ... on PriceChangedError { expectedTotal { amount currency } actualTotal { amount currency } }
  ... on LimitExceededError { limit }
`;
const MUTATIONS = {
  placeOrder: `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { ${PLACE_RESULT} } } ${ORDER_FIELDS}`,
  payOrder: `mutation ($input: PayOrderInput!) { payOrder(input: $input) { ${RESULT} } } ${ORDER_FIELDS}`,
  cancelOrder: `mutation ($input: CancelOrderInput!) { cancelOrder(input: $input) { ${RESULT} } } ${ORDER_FIELDS}`,
};

export const ADDRESS = {
  name: 'Han Meimei',
  line1: '88 Century Avenue',
  city: 'Shanghai',
  postalCode: '200120',
  country: 'CN',
  phone: '+86 21 5555 0100',
};

/** Runs an order mutation; a fault comes back as `errors`. */
export async function orderMutation(g: OrderGraph, name: keyof typeof MUTATIONS, input: Record<string, unknown>, as: CallAs) {
  const res = await g.order.call<Record<string, OrderResult>>(MUTATIONS[name], { input }, as);
  return { result: res.data?.[name] ?? null, errors: res.errors };
}

/** An order mutation that must answer with a union member. */
export async function mutateOrder(g: OrderGraph, name: keyof typeof MUTATIONS, input: Record<string, unknown>, as: CallAs): Promise<OrderResult> {
  const { result, errors } = await orderMutation(g, name, { idempotencyKey: randomUUID(), ...input }, as);
  if (errors || !result) throw new Error(`${name} failed: ${JSON.stringify(errors)}`);
  return result;
}

export async function readOrder(g: OrderGraph, id: string, as: CallAs): Promise<OrderResult | null> {
  const res = await g.order.call<{ order: OrderResult | null }>(
    `query ($id: ID!) { order(id: $id) { __typename ...O } } ${ORDER_FIELDS}`,
    { id },
    as,
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.order;
}

interface CartView {
  id: string;
  version: number;
  lines: { id: string; quantity: number; variant: { id: string } }[];
  cost: { subtotal: Money; discount: Money; shipping: Money; total: Money } | null;
}
const CART = `id version lines { id quantity variant { id } } cost { subtotal { amount currency } discount { amount currency } shipping { amount currency } total { amount currency } }`;

/** Adds to the user's cart (a new one when no cartId), returning the cart. */
export async function addToCart(g: OrderGraph, as: CallAs, variantId: string, quantity: number, cartId?: string): Promise<CartView> {
  const res = await g.cart.call<{ addToCart: CartView & { __typename: string; message?: string } }>(
    `mutation ($input: AddToCartInput!) { addToCart(input: $input) { __typename ... on Cart { ${CART} } ... on DomainError { message } } }`,
    { input: { cartId, variantId, quantity, idempotencyKey: randomUUID() } },
    as,
  );
  const cart = res.data?.addToCart;
  if (!cart || cart.__typename !== 'Cart') throw new Error(`addToCart failed: ${JSON.stringify(res.errors ?? cart)}`);
  return cart;
}

export async function readCart(g: OrderGraph, id: string, as: CallAs): Promise<CartView | null> {
  const res = await g.cart.call<{ cart: CartView | null }>(`query ($id: ID!) { cart(id: $id) { ${CART} } }`, { id }, as);
  return res.data!.cart;
}

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

export async function stockOf(g: OrderGraph, variantId: string): Promise<StockLevel> {
  const res = await g.inventory.call<{ stockLevel: StockLevel }>(`query ($v: ID!) { stockLevel(variantId: $v) { onHand reserved available } }`, {
    v: variantId,
  });
  return res.data!.stockLevel;
}

/** Brings a variant to exactly `available` units, as the back office would. */
export async function setAvailable(g: OrderGraph, variantId: string, available: number): Promise<void> {
  const before = await stockOf(g, variantId);
  const res = await g.inventory.call<{ adjustStock: { __typename: string } }>(
    `mutation ($input: AdjustStockInput!) { adjustStock(input: $input) { __typename } }`,
    { input: { variantId, delta: available - before.available, idempotencyKey: randomUUID() } },
    { userId: 'admin', roles: ['admin'] },
  );
  if (res.data?.adjustStock.__typename !== 'StockLevel') throw new Error(`adjustStock failed: ${JSON.stringify(res)}`);
}

/** Demo variants with at least `min` units available, so tests pick by stock, not seed arithmetic. */
export async function variantsInStock(g: OrderGraph, min: number): Promise<string[]> {
  const ids = demoProducts().flatMap((p) => p.variants.map((v) => v.id));
  const res = await g.inventory.call<{ _entities: { id: string; stock: { available: number } | null }[] }>(
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Variant { id stock { available } } } }`,
    { r: ids.map((id) => ({ __typename: 'Variant', id })) },
  );
  return res.data!._entities.filter((e) => (e.stock?.available ?? 0) >= min).map((e) => e.id);
}

/** Polls until `check` passes or the time runs out (for work the background does on its own). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Stands between the order subgraph and the cart: forwards every request unchanged (the gateway
 * signature covers the body, which is passed through byte for byte), except that while `failing`
 * holds, cart checkouts (completeCheckout) are answered 503, as a cart in trouble would.
 */
export async function startCartProxy(target: () => string): Promise<{ url: string; failing: boolean; completions: number; close(): Promise<void> }> {
  const state = { url: '', failing: false, completions: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const checkout = body.includes('completeCheckout');
      if (checkout && state.failing) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'cart unavailable' }] }));
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      fetch(target(), { method: 'POST', headers, body })
        .then(async (upstream) => {
          if (checkout && upstream.ok) state.completions += 1;
          res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/graphql`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}
