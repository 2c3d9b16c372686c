import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CART_FIELDS,
  DEAD_URL,
  line,
  mutate,
  mutateCart,
  pricesOf,
  readCart,
  shippingRulesOf,
  startCartGraph,
  stockOfDemoVariants,
  type CartGraph,
  type CartView,
} from './cart-graph.ts';

let g: CartGraph;
let stock: { variantId: string; shopId: string; available: number }[];
/** A well-stocked variant per shop. */
const byShop = (shopId: string, n = 0) => stock.filter((s) => s.shopId === shopId && s.available >= 50)[n]!.variantId;

beforeAll(async () => {
  g = await startCartGraph();
  stock = await stockOfDemoVariants(g.inventory);
});
afterAll(() => g?.dispose());

async function cartWith(lines: [string, number][], as = {}): Promise<CartView> {
  let cart: CartView | undefined;
  for (const [variantId, quantity] of lines) cart = await mutateCart(g.cart, 'addToCart', { cartId: cart?.id, variantId, quantity }, as);
  return cart!;
}

/** What the cart should cost, from pricing's prices and shipping rules alone. */
async function expectedCost(cart: CartView) {
  const prices = await pricesOf(
    g.pricing,
    cart.lines.map((l) => l.variant.id),
  );
  const rules = await shippingRulesOf(g.pricing);
  const shopOf = new Map(stock.map((s) => [s.variantId, s.shopId]));
  const perShop = new Map<string, number>();
  for (const l of cart.lines) {
    const shop = shopOf.get(l.variant.id)!;
    perShop.set(shop, (perShop.get(shop) ?? 0) + prices.get(l.variant.id)! * l.quantity);
  }
  const shipping = new Map([...perShop].map(([shop, subtotal]) => [shop, subtotal >= rules.get(shop)!.freeThreshold ? 0 : rules.get(shop)!.flatFee]));
  const subtotal = [...perShop.values()].reduce((a, b) => a + b, 0);
  return { perShop, shipping, subtotal, shippingTotal: [...shipping.values()].reduce((a, b) => a + b, 0), rules, prices };
}

describe('cost', () => {
  it('is subtotal - discount + shipping, with shipping per shop group and its free threshold', async () => {
    const rules = await shippingRulesOf(g.pricing);
    const peakCandidates = stock.filter((s) => s.shopId === 'shop-peak' && s.available >= 50).map((s) => s.variantId);
    const prices = await pricesOf(g.pricing, [byShop('shop-lotus'), ...peakCandidates]);
    const cheapPeak = peakCandidates.find((v) => prices.get(v)! < rules.get('shop-peak')!.freeThreshold)!;
    // Lotus past its free-shipping threshold, Peak below its own, Northwind a small order.
    const lotusQty = Math.ceil(rules.get('shop-lotus')!.freeThreshold / prices.get(byShop('shop-lotus'))!);
    expect(lotusQty).toBeLessThanOrEqual(50);
    const cart = await cartWith([
      [byShop('shop-lotus'), lotusQty],
      [cheapPeak, 1],
      [byShop('shop-northwind'), 2],
      [byShop('shop-northwind', 1), 1],
    ]);
    const want = await expectedCost(cart);
    expect(want.shipping.get('shop-lotus')).toBe(0);
    expect(want.shipping.get('shop-peak')).toBe(rules.get('shop-peak')!.flatFee);

    expect(cart.cost!.subtotal).toEqual({ amount: want.subtotal, currency: 'CNY' });
    expect(cart.cost!.shipping.amount).toBe(want.shippingTotal);
    const promotions = cart.appliedPromotions!.reduce((sum, p) => sum + p.amount.amount, 0);
    expect(cart.cost!.discount.amount).toBe(promotions);
    // Northwind's 10% promotion applies to its group.
    expect(cart.appliedPromotions!.map((p) => p.id)).toContain('promo-northwind-10');
    expect(cart.cost!.total.amount).toBe(want.subtotal - promotions + want.shippingTotal);

    expect(cart.shopGroups!.map((sg) => sg.shop.id).sort()).toEqual(['shop-lotus', 'shop-northwind', 'shop-peak']);
    for (const group of cart.shopGroups!) {
      expect(group.subtotal.amount).toBe(want.perShop.get(group.shop.id));
      expect(group.shipping.amount).toBe(want.shipping.get(group.shop.id));
      const shopLines = cart.lines.filter((l) => stock.find((s) => s.variantId === l.variant.id)!.shopId === group.shop.id);
      expect([...group.lineIds].sort()).toEqual(shopLines.map((l) => l.id).sort());
    }
  });

  it('is zero everywhere for an empty cart', async () => {
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: byShop('shop-peak'), quantity: 1 });
    const empty = await mutateCart(g.cart, 'removeCartLine', { cartId: cart.id, lineId: cart.lines[0]!.id, expectedVersion: 1 });
    const zero = { amount: 0, currency: 'CNY' };
    expect(empty).toMatchObject({
      lines: [],
      shopGroups: [],
      appliedPromotions: [],
      cost: { subtotal: zero, discount: zero, shipping: zero, total: zero },
    });
  });

  it('asks pricing and marketing once per cart per request', async () => {
    const cart = await cartWith([
      [byShop('shop-lotus'), 1],
      [byShop('shop-northwind'), 1],
    ]);
    const pricing = g.pricing.dbHandle.statementCount();
    const marketing = g.marketing.dbHandle.statementCount();
    const once = await readCart(g.cart, cart.id);
    expect(once.errors).toBeUndefined();
    const pricingOnce = g.pricing.dbHandle.statementCount() - pricing;
    const marketingOnce = g.marketing.dbHandle.statementCount() - marketing;
    expect(pricingOnce).toBeGreaterThan(0);
    // Asking for every money field twice over (aliases) costs no more than asking once.
    const q = `query ($id: ID!) { cart(id: $id) { a: cost { total { amount } } b: cost { subtotal { amount } } shopGroups { lineIds } appliedPromotions { id } ...CartFields } } ${CART_FIELDS}`;
    const p2 = g.pricing.dbHandle.statementCount();
    const m2 = g.marketing.dbHandle.statementCount();
    expect((await g.cart.call(q, { id: cart.id })).errors).toBeUndefined();
    expect(g.pricing.dbHandle.statementCount() - p2).toBe(pricingOnce);
    expect(g.marketing.dbHandle.statementCount() - m2).toBe(marketingOnce);
  });
});

describe('applyCoupon', () => {
  it('applies WELCOME10: stored upper-cased, discount up and total down by the coupon', async () => {
    const cart = await cartWith([
      [byShop('shop-peak'), 2],
      [byShop('shop-lotus'), 1],
    ]);
    const withCoupon = await mutateCart(g.cart, 'applyCoupon', { cartId: cart.id, code: ' welcome10 ' });
    expect(withCoupon.couponCode).toBe('WELCOME10');
    expect(withCoupon.version).toBe(cart.version + 1);
    const coupon = withCoupon.appliedPromotions!.find((p) => p.id === 'coupon:WELCOME10')!;
    expect(coupon.amount.amount).toBeGreaterThan(0);
    expect(withCoupon.cost!.discount.amount).toBe(cart.cost!.discount.amount + coupon.amount.amount);
    expect(withCoupon.cost!.total.amount).toBe(cart.cost!.total.amount - coupon.amount.amount);
    expect(withCoupon.cost!.total.amount).toBe(
      withCoupon.cost!.subtotal.amount - withCoupon.cost!.discount.amount + withCoupon.cost!.shipping.amount,
    );
    // 10% of what the promotions left, capped at ¥50.
    const rest = cart.cost!.subtotal.amount - cart.cost!.discount.amount;
    expect(coupon.amount.amount).toBe(Math.min(Math.floor(rest / 10), 5000));
  });

  it.each(['NOPE-NOT-A-CODE', 'SUMMER2025'])('refuses %s (unknown or expired) with CouponInvalidError', async (code) => {
    const cart = await cartWith([[byShop('shop-peak'), 1]]);
    expect(await mutate(g.cart, 'applyCoupon', { cartId: cart.id, code })).toMatchObject({
      __typename: 'CouponInvalidError',
      code: 'COUPON_INVALID',
      retryable: false,
    });
    expect((await readCart(g.cart, cart.id)).data!.cart).toMatchObject({ version: cart.version, couponCode: null });
  });

  it('validates the code and finds only visible carts', async () => {
    const cart = await cartWith([[byShop('shop-peak'), 1]], { userId: 'user-carol' });
    expect(await mutate(g.cart, 'applyCoupon', { cartId: cart.id, code: '' }, { userId: 'user-carol' })).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.code',
    });
    expect(await mutate(g.cart, 'applyCoupon', { cartId: cart.id, code: 'WELCOME10' })).toMatchObject({ __typename: 'NotFoundError' });
  });
});

describe('when pricing or marketing is down', () => {
  it('answers lines, id and version, and nulls the money with a typed error naming the service', async () => {
    const cart = await cartWith([[byShop('shop-peak'), 1]]);
    for (const service of ['pricing', 'marketing'] as const) {
      const url = g.urls[service];
      g.urls[service] = DEAD_URL;
      try {
        const res = await readCart(g.cart, cart.id);
        expect(res.data!.cart).toMatchObject({
          id: cart.id,
          version: cart.version,
          lines: cart.lines,
          cost: null,
          shopGroups: null,
          appliedPromotions: null,
        });
        // One failure, one error: on the first money field of the query.
        expect(res.errors).toHaveLength(1);
        expect(res.errors![0]).toMatchObject({ path: ['cart', 'shopGroups'], extensions: { code: 'SERVICE_UNAVAILABLE', service, retryable: true } });
        const costOnly = await g.cart.call<{ cart: { lines: unknown[]; cost: null } }>(
          `query ($id: ID!) { cart(id: $id) { lines { id } cost { total { amount } } } }`,
          {
            id: cart.id,
          },
        );
        expect(costOnly.data!.cart).toMatchObject({ lines: [{ id: cart.lines[0]!.id }], cost: null });
        expect(costOnly.errors).toMatchObject([{ path: ['cart', 'cost'], extensions: { code: 'SERVICE_UNAVAILABLE', service } }]);
      } finally {
        g.urls[service] = url;
      }
    }
    expect((await readCart(g.cart, cart.id)).data!.cart!.cost).not.toBeNull();
  });

  it('fails a mutation that needs the missing service with a fault, storing nothing', async () => {
    const cart = await cartWith([[byShop('shop-peak'), 1]]);
    const input = { cartId: cart.id, variantId: byShop('shop-peak'), quantity: 1, idempotencyKey: randomUUID() };
    const url = g.urls.inventory;
    g.urls.inventory = DEAD_URL;
    try {
      const res = await g.cart.call(`mutation ($input: AddToCartInput!) { addToCart(input: $input) { __typename } }`, { input });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'inventory', retryable: true });
    } finally {
      g.urls.inventory = url;
    }
    // The retry with the same key runs for real.
    expect(line(await mutateCart(g.cart, 'addToCart', input), byShop('shop-peak'))!.quantity).toBe(2);
  });
});

const CHECKOUT_QUOTE = /* GraphQL */ `
  query ($id: ID!) {
    checkoutQuote(cartId: $id) {
      cartId
      ownerId
      version
      couponCode
      unpricedLineIds
      lines {
        lineId
        variantId
        shopId
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
        }
        discount {
          amount
        }
        shipping {
          amount
        }
        total {
          amount
          currency
        }
      }
    }
  }
`;
const COMPLETE = /* GraphQL */ `
  mutation ($input: CompleteCheckoutInput!) {
    completeCheckout(input: $input) {
      cartId
      orderId
    }
  }
`;

type Quote = {
  cartId: string;
  ownerId: string | null;
  version: number;
  couponCode: string | null;
  unpricedLineIds: string[];
  lines: { lineId: string; variantId: string; shopId: string; quantity: number; unitPrice: { amount: number }; lineTotal: { amount: number } }[];
  cost: { subtotal: { amount: number }; discount: { amount: number }; shipping: { amount: number }; total: { amount: number; currency: string } };
};

describe('checkout internals', () => {
  it('quotes the cart exactly as Cart.cost shows it', async () => {
    const dave = { userId: 'user-dave' };
    let cart = await cartWith(
      [
        [byShop('shop-northwind'), 3],
        [byShop('shop-lotus'), 2],
      ],
      dave,
    );
    cart = await mutateCart(g.cart, 'applyCoupon', { cartId: cart.id, code: 'WELCOME10' }, dave);
    const res = await g.cart.call<{ checkoutQuote: Quote }>(CHECKOUT_QUOTE, { id: cart.id }, dave);
    expect(res.errors).toBeUndefined();
    const quote = res.data!.checkoutQuote;
    expect(quote).toMatchObject({ cartId: cart.id, ownerId: 'user-dave', version: cart.version, couponCode: 'WELCOME10', unpricedLineIds: [] });
    expect(quote.cost.total).toEqual(cart.cost!.total);
    expect(quote.cost.discount.amount).toBe(cart.cost!.discount.amount);
    expect(quote.cost.shipping.amount).toBe(cart.cost!.shipping.amount);
    expect(quote.lines.map((l) => [l.lineId, l.quantity]).sort()).toEqual(cart.lines.map((l) => [l.id, l.quantity]).sort());
    for (const l of quote.lines) expect(l.lineTotal.amount).toBe(l.unitPrice.amount * l.quantity);
    expect(quote.lines.reduce((s, l) => s + l.lineTotal.amount, 0)).toBe(quote.cost.subtotal.amount);

    expect((await g.cart.call<{ checkoutQuote: null }>(CHECKOUT_QUOTE, { id: 'cart_unknown' })).data!.checkoutQuote).toBeNull();
    g.urls.pricing = DEAD_URL;
    try {
      const down = await g.cart.call(CHECKOUT_QUOTE, { id: cart.id });
      expect(down.data!.checkoutQuote).toBeNull();
      expect(down.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'pricing' });
    } finally {
      g.urls.pricing = g.pricing.url;
    }
  });

  it('takes out exactly what was ordered, once per order', async () => {
    const erin = { userId: 'user-erin' };
    const [a, b, late] = [byShop('shop-peak'), byShop('shop-lotus'), byShop('shop-northwind')];
    let cart = await cartWith(
      [
        [a, 3],
        [b, 2],
      ],
      erin,
    );
    cart = await mutateCart(g.cart, 'applyCoupon', { cartId: cart.id, code: 'WELCOME10' }, erin);
    const quote = (await g.cart.call<{ checkoutQuote: Quote }>(CHECKOUT_QUOTE, { id: cart.id }, erin)).data!.checkoutQuote;
    // The shopper keeps shopping in another tab while the order is placed.
    cart = await mutateCart(g.cart, 'addToCart', { variantId: late, quantity: 1 }, erin);
    cart = await mutateCart(g.cart, 'addToCart', { variantId: a, quantity: 1 }, erin);

    const orderId = `order-${randomUUID()}`;
    const input = { cartId: cart.id, orderId, lines: quote.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) };
    const done = await g.cart.call<{ completeCheckout: { cartId: string; orderId: string } }>(COMPLETE, { input }, erin);
    expect(done.data!.completeCheckout).toEqual({ cartId: cart.id, orderId });

    const after = (await readCart(g.cart, cart.id, erin)).data!.cart!;
    expect(after.version).toBe(cart.version + 1);
    expect(after.couponCode).toBeNull();
    expect(after.lines.map((l) => [l.variant.id, l.quantity]).sort()).toEqual(
      [
        [a, 1],
        [late, 1],
      ].sort(),
    );

    const again = await g.cart.call<{ completeCheckout: { cartId: string; orderId: string } }>(COMPLETE, { input }, erin);
    expect(again.data!.completeCheckout).toEqual({ cartId: cart.id, orderId });
    expect((await readCart(g.cart, cart.id, erin)).data!.cart).toMatchObject({ version: after.version, lines: after.lines });
  });
});
