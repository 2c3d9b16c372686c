import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SubgraphName } from '@ecom/platform/env';
import { startSubgraphs, type CallAs } from '@ecom/platform/testing';
import { inventorySubgraph } from '@ecom/inventory/server';
import { marketingSubgraph } from '@ecom/marketing/server';
import { pricingSubgraph } from '@ecom/pricing/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartSubgraph } from '../src/server.ts';
import { mutateCart, stockOfDemoVariants, type CartGraph, type CartView, type MutationName } from './cart-graph.ts';

/**
 * A sibling that answers only when the test says so: requests are held (counted), then forwarded to
 * the real sibling once released. Signed headers pass through unchanged.
 */
interface StallingSibling {
  url: string;
  received(): number;
  release(): void;
  close(): Promise<void>;
}

async function stallingSibling(target: string): Promise<StallingSibling> {
  let released = false;
  let received = 0;
  const held: (() => void)[] = [];
  const forwardable = (headers: IncomingHttpHeaders) =>
    Object.fromEntries(
      Object.entries(headers).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && !['host', 'connection', 'content-length'].includes(e[0]),
      ),
    );
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received += 1;
      const forward = () =>
        void fetch(target, { method: 'POST', headers: forwardable(req.headers), body: Buffer.concat(chunks) })
          .then(async (upstream) => {
            res.writeHead(upstream.status, { 'content-type': 'application/json' });
            res.end(Buffer.from(await upstream.arrayBuffer()));
          })
          .catch(() => res.destroy());
      if (released) forward();
      else held.push(forward);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received: () => received,
    release() {
      released = true;
      for (const f of held.splice(0)) f();
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Resolves once `check` holds, polling; fails the test after `ms` (generous: a loaded machine). */
async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A promise whose settling can be observed without awaiting it. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled(): boolean } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => done };
}

let g: CartGraph;
let plenty: string[];

beforeAll(async () => {
  // One connection: on Postgres a transaction that waited on a sibling would hold the whole pool
  // (PGlite has a single connection anyway).
  const { subgraphs, urls, dispose } = await startSubgraphs(
    { inventory: inventorySubgraph, pricing: pricingSubgraph, marketing: marketingSubgraph, cart: cartSubgraph },
    { config: { cart: { databasePoolSize: 1 } } },
  );
  g = { ...subgraphs, urls, dispose };
  plenty = (await stockOfDemoVariants(g.inventory)).filter((s) => s.available >= 50).map((s) => s.variantId);
}, 240_000);
afterAll(() => g?.dispose());

const anonymousCart = async (variants: string[]): Promise<CartView> => {
  let cart = await mutateCart(g.cart, 'addToCart', { variantId: variants[0], quantity: 1 });
  for (const v of variants.slice(1)) cart = await mutateCart(g.cart, 'addToCart', { cartId: cart.id, variantId: v, quantity: 1 });
  return cart;
};

const INPUT_TYPES: Record<MutationName, string> = {
  addToCart: 'AddToCartInput',
  updateCartLine: 'UpdateCartLineInput',
  removeCartLine: 'RemoveCartLineInput',
  mergeCart: 'MergeCartInput',
  applyCoupon: 'ApplyCouponInput',
};

interface Answer {
  __typename: string;
  version?: number;
  couponCode?: string | null;
  lines?: { variant: { id: string } }[];
}

/**
 * A cart mutation asking only for what the cart itself holds: prices and discounts would call the
 * (stalled) siblings again, and every call to them is counted here.
 */
async function change(name: MutationName, input: Record<string, unknown>, as: CallAs = {}): Promise<Answer> {
  const res = await g.cart.call<Record<string, Answer>>(
    `mutation ($input: ${INPUT_TYPES[name]}!) { ${name}(input: $input) { __typename ... on Cart { version couponCode lines { variant { id } } } } }`,
    { input: { idempotencyKey: randomUUID(), ...input } },
    as,
  );
  expect(res.errors).toBeUndefined();
  return res.data![name]!;
}

const removeLine = (cart: CartView) => change('removeCartLine', { cartId: cart.id, lineId: cart.lines[0]!.id, expectedVersion: cart.version });

/** Runs `work` with `sibling` answering only after release; restores it afterwards. */
async function withStalled<T>(sibling: SubgraphName, work: (stall: StallingSibling) => Promise<T>): Promise<T> {
  const real = g.urls[sibling];
  const stall = await stallingSibling(real);
  g.urls[sibling] = stall.url;
  try {
    return await work(stall);
  } finally {
    stall.release();
    g.urls[sibling] = real;
    await stall.close();
  }
}

describe('cart mutations call their siblings before the transaction', () => {
  const user = { userId: `user-${randomUUID()}` };
  const cases: [MutationName, SubgraphName, (own: CartView) => Record<string, unknown>, Record<string, unknown>][] = [
    ['addToCart', 'inventory', (own) => ({ cartId: own.id, variantId: plenty[2], quantity: 1 }), {}],
    ['updateCartLine', 'inventory', (own) => ({ cartId: own.id, lineId: own.lines[0]!.id, quantity: 2, expectedVersion: own.version }), {}],
    ['applyCoupon', 'marketing', (own) => ({ cartId: own.id, code: 'WELCOME10' }), {}],
    ['mergeCart', 'inventory', (own) => ({ anonymousCartId: own.id }), user],
  ];

  it.each(cases)(
    '%s with %s stalled holds no connection or lock: a change to another cart goes through meanwhile',
    async (name, sibling, inputOf, as) => {
      const own = await anonymousCart([plenty[0]!, plenty[1]!]);
      const other = await anonymousCart([plenty[0]!, plenty[1]!]);
      await withStalled(sibling, async (stall) => {
        const stalled = watched(change(name, inputOf(own), as));
        await until(() => stall.received() > 0);
        // Before: the stalled mutation's transaction held the only connection until its sibling answered.
        expect(await removeLine(other)).toMatchObject({ __typename: 'Cart', version: other.version + 1 });
        expect(stalled.settled()).toBe(false);
        stall.release();
        expect(await stalled.promise).toMatchObject({ __typename: 'Cart' });
      });
    },
  );

  it('asks again when the cart changed while the siblings were answering (applyCoupon)', async () => {
    const cart = await anonymousCart([plenty[0]!, plenty[1]!]);
    const applied = await withStalled('marketing', async (stall) => {
      const pending = watched(change('applyCoupon', { cartId: cart.id, code: 'WELCOME10' }));
      await until(() => stall.received() > 0);
      // The same cart changes meanwhile: nothing holds its row while marketing is asked.
      expect(await removeLine(cart)).toMatchObject({ __typename: 'Cart', version: cart.version + 1 });
      stall.release();
      const result = await pending.promise;
      // Quoted once for the cart it first saw, then again for the cart as it now is.
      expect(stall.received()).toBe(2);
      return result;
    });
    expect(applied).toMatchObject({ __typename: 'Cart', couponCode: 'WELCOME10', version: cart.version + 2 });
    expect(applied.lines!.map((l) => l.variant.id)).toEqual([plenty[1]]);
  });
});
