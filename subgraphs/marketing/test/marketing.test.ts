import { demoProducts } from '@ecom/platform/demo-catalog';
import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as schema from '../src/db/schema.ts';
import { marketingSubgraph } from '../src/server.ts';

let sg: TestSubgraph<typeof schema>;
beforeAll(async () => {
  sg = await startTestSubgraph(marketingSubgraph);
});
afterAll(() => sg?.dispose());

const pad = (n: number) => String(n).padStart(3, '0');
const SHOPS = ['shop-northwind', 'shop-lotus', 'shop-peak'];
const CATALOG = demoProducts();
/** The demo catalog's shop of product index i, as the product subgraph would require it. */
const shopOf = (i: number) => CATALOG[i - 1]!.shopId;
const productRep = (i: number) => ({ __typename: 'Product', id: `prod-${pad(i)}`, shop: { id: shopOf(i) } });

const ENTITIES = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Product {
        id
        badges {
          kind
          label
        }
        promotions {
          id
          title
          description
          kind
        }
      }
    }
  }
`;
type ProductMarketing = {
  id: string;
  badges: { kind: string; label: string }[] | null;
  promotions: { id: string; title: string; description: string; kind: string }[] | null;
};
const entities = async (reps: object[]) => {
  const res = await sg.call<{ _entities: ProductMarketing[] }>(ENTITIES, { r: reps });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
};

const NORTHWIND_BADGE = { kind: 'PROMOTION', label: '10% off' };
const LOTUS_BADGE = { kind: 'PROMOTION', label: '¥30 off ¥199' };

describe('product badges and promotions', () => {
  it('shows the promotion of the product’s shop as a badge', async () => {
    const [northwind, lotus, peak] = await entities([productRep(1), productRep(3), productRep(5)]);
    expect(northwind!.badges).toEqual([NORTHWIND_BADGE]);
    expect(northwind!.promotions).toEqual([
      { id: 'promo-northwind-10', title: 'Northwind: 10% off', description: '10% off everything from Northwind Electronics.', kind: 'PERCENT_OFF' },
    ]);
    expect(lotus!.badges).toEqual([LOTUS_BADGE]);
    expect(lotus!.promotions!.map((p) => [p.id, p.kind])).toEqual([['promo-lotus-threshold', 'THRESHOLD_DISCOUNT']]);
    // Peak's only promotion is switched off and the all-shop spring sale has ended.
    expect(peak).toMatchObject({ badges: [], promotions: [] });
  });

  it('adds curated NEW and BESTSELLER badges after promotion badges', async () => {
    const [p200, p195, p25, p125] = await entities([productRep(200), productRep(195), productRep(25), productRep(125)]);
    expect(shopOf(200)).toBe('shop-northwind');
    expect(p200!.badges).toEqual([NORTHWIND_BADGE, { kind: 'NEW', label: 'New' }, { kind: 'BESTSELLER', label: 'Bestseller' }]);
    expect(shopOf(195)).toBe('shop-lotus');
    expect(p195!.badges).toEqual([LOTUS_BADGE, { kind: 'NEW', label: 'New' }]);
    expect(shopOf(25)).toBe('shop-northwind');
    expect(p25!.badges).toEqual([NORTHWIND_BADGE, { kind: 'BESTSELLER', label: 'Bestseller' }]);
    expect(shopOf(125)).toBe('shop-peak');
    expect(p125!.badges).toEqual([{ kind: 'BESTSELLER', label: 'Bestseller' }]);
  });

  it('marks exactly the ten newest products NEW', async () => {
    const all = await entities(Array.from({ length: 200 }, (_, i) => productRep(i + 1)));
    const fresh = all.filter((p) => p.badges!.some((b) => b.kind === 'NEW')).map((p) => p.id);
    expect(fresh).toEqual(Array.from({ length: 10 }, (_, i) => `prod-${191 + i}`));
  });

  it('never shows an ended or paused promotion', async () => {
    const all = await entities(Array.from({ length: 200 }, (_, i) => productRep(i + 1)));
    const ids = new Set(all.flatMap((p) => p.promotions!.map((x) => x.id)));
    expect([...ids].sort()).toEqual(['promo-lotus-threshold', 'promo-northwind-10']);
    const labels = new Set(all.flatMap((p) => p.badges!.map((b) => b.label)));
    expect(labels.has('15% off')).toBe(false);
    expect(labels.has('20% off')).toBe(false);
  });

  it('without a shop in the representation, answers curated badges only', async () => {
    const [p] = await entities([{ __typename: 'Product', id: 'prod-200' }]);
    expect(p!.badges).toEqual([
      { kind: 'NEW', label: 'New' },
      { kind: 'BESTSELLER', label: 'Bestseller' },
    ]);
    expect(p!.promotions).toEqual([]);
  });

  it('costs the same statements for 12 and 96 products', async () => {
    const count = async (n: number) => {
      const reps = Array.from({ length: n }, (_, i) => productRep(i + 1));
      const before = sg.dbHandle.statementCount();
      expect(await entities(reps)).toHaveLength(n);
      return sg.dbHandle.statementCount() - before;
    };
    const small = await count(12);
    const large = await count(96);
    expect(large).toBe(small);
    // curated badges, live promotions of the shops
    expect(small).toBe(2);
  });

  it('resolves a promotion reference by id, ended ones included', async () => {
    const res = await sg.call<{ _entities: ({ id: string; title: string } | null)[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Promotion { id title kind } } }`,
      { r: ['promo-spring-2025', 'promo-nope'].map((id) => ({ __typename: 'Promotion', id })) },
    );
    expect(res.data!._entities).toEqual([{ id: 'promo-spring-2025', title: 'Spring sale: 15% off', kind: 'PERCENT_OFF' }, null]);
  });
});

describe('Query.promotions', () => {
  it('lists the live promotions only, in a fixed order', async () => {
    const res = await sg.call<{ promotions: { id: string; kind: string }[] }>(`{ promotions { id kind } }`);
    expect(res.data!.promotions).toEqual([
      { id: 'promo-lotus-threshold', kind: 'THRESHOLD_DISCOUNT' },
      { id: 'promo-northwind-10', kind: 'PERCENT_OFF' },
    ]);
  });
});

const QUOTE = /* GraphQL */ `
  query ($input: DiscountQuoteInput!) {
    discountQuote(input: $input) {
      currency
      applied {
        promotionId
        title
        amount
      }
      total
      coupon
    }
  }
`;
type Quote = {
  discountQuote: { currency: string; applied: { promotionId: string; title: string; amount: number }[]; total: number; coupon: string | null };
};
const quote = async (shopGroups: { shopId: string; subtotal: number }[], couponCode?: string) => {
  const res = await sg.call<Quote>(QUOTE, { input: { shopGroups, couponCode } });
  expect(res.errors).toBeUndefined();
  return res.data!.discountQuote;
};
const NORTHWIND = { promotionId: 'promo-northwind-10', title: 'Northwind: 10% off' };
const LOTUS = { promotionId: 'promo-lotus-threshold', title: 'Lotus Home: ¥30 off ¥199' };

describe('discountQuote', () => {
  it('takes a percentage off a shop with a PERCENT_OFF promotion, rounding down', async () => {
    expect(await quote([{ shopId: 'shop-northwind', subtotal: 12345 }])).toEqual({
      currency: 'CNY',
      applied: [{ ...NORTHWIND, amount: 1234 }],
      total: 1234,
      coupon: null,
    });
  });

  it('takes the threshold discount once the shop’s subtotal reaches the threshold', async () => {
    expect(await quote([{ shopId: 'shop-lotus', subtotal: 19900 }])).toMatchObject({ applied: [{ ...LOTUS, amount: 3000 }], total: 3000 });
    expect(await quote([{ shopId: 'shop-lotus', subtotal: 19899 }])).toMatchObject({ applied: [], total: 0 });
  });

  it('applies each shop’s promotions to that shop only', async () => {
    // Peak's subtotal alone would reach Lotus' threshold; the paused Peak promotion gives nothing.
    const q = await quote([
      { shopId: 'shop-peak', subtotal: 50000 },
      { shopId: 'shop-northwind', subtotal: 1000 },
      { shopId: 'shop-lotus', subtotal: 5000 },
    ]);
    expect(q).toEqual({ currency: 'CNY', applied: [{ ...NORTHWIND, amount: 100 }], total: 100, coupon: null });
  });

  it('applies WELCOME10 to what promotions leave, capped at its max discount', async () => {
    // Promotions: 10000 + 3000; the coupon's 10% of 107000 is capped at 5000.
    const capped = await quote(
      [
        { shopId: 'shop-northwind', subtotal: 100000 },
        { shopId: 'shop-lotus', subtotal: 20000 },
      ],
      'WELCOME10',
    );
    expect(capped).toEqual({
      currency: 'CNY',
      applied: [
        { ...LOTUS, amount: 3000 },
        { ...NORTHWIND, amount: 10000 },
        { promotionId: 'coupon:WELCOME10', title: 'Welcome: 10% off', amount: 5000 },
      ],
      total: 18000,
      coupon: 'APPLIED',
    });
    // Uncapped: 10% of (19900 - 3000).
    const uncapped = await quote([{ shopId: 'shop-lotus', subtotal: 19900 }], 'WELCOME10');
    expect(uncapped.applied.at(-1)).toEqual({ promotionId: 'coupon:WELCOME10', title: 'Welcome: 10% off', amount: 1690 });
    expect(uncapped).toMatchObject({ total: 4690, coupon: 'APPLIED' });
  });

  it('matches coupon codes case-insensitively and ignores surrounding spaces', async () => {
    for (const code of ['welcome10', ' Welcome10 ']) {
      const q = await quote([{ shopId: 'shop-peak', subtotal: 10000 }], code);
      expect(q).toEqual({
        currency: 'CNY',
        applied: [{ promotionId: 'coupon:WELCOME10', title: 'Welcome: 10% off', amount: 1000 }],
        total: 1000,
        coupon: 'APPLIED',
      });
    }
  });

  it.each(['SUMMER2025', 'summer2025', 'NOPE', '', 'X'.repeat(200)])('answers INVALID for coupon %j and applies only promotions', async (code) => {
    const q = await quote([{ shopId: 'shop-northwind', subtotal: 10000 }], code);
    expect(q).toEqual({ currency: 'CNY', applied: [{ ...NORTHWIND, amount: 1000 }], total: 1000, coupon: 'INVALID' });
  });

  it('answers a valid coupon on nothing to discount as APPLIED with no amount', async () => {
    expect(await quote([], 'WELCOME10')).toEqual({ currency: 'CNY', applied: [], total: 0, coupon: 'APPLIED' });
    expect(await quote([{ shopId: 'shop-peak', subtotal: 0 }], 'WELCOME10')).toMatchObject({ applied: [], total: 0 });
  });

  it('costs the same statements for one shop group and three with a coupon', async () => {
    const count = async (groups: { shopId: string; subtotal: number }[]) => {
      const before = sg.dbHandle.statementCount();
      await quote(groups, 'WELCOME10');
      return sg.dbHandle.statementCount() - before;
    };
    const one = await count([{ shopId: 'shop-lotus', subtotal: 100 }]);
    const three = await count(SHOPS.map((shopId) => ({ shopId, subtotal: 30000 })));
    expect(three).toBe(one);
    // live promotions, coupon
    expect(one).toBe(2);
  });

  it('rejects a negative subtotal and a shop listed twice with INVALID_INPUT', async () => {
    const negative = await sg.call(QUOTE, { input: { shopGroups: [{ shopId: 'shop-peak', subtotal: -1 }] } });
    expect(negative.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'input.shopGroups[0].subtotal' });
    const twice = await sg.call(QUOTE, {
      input: {
        shopGroups: [
          { shopId: 'shop-peak', subtotal: 1 },
          { shopId: 'shop-peak', subtotal: 2 },
        ],
      },
    });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'input.shopGroups[1].shopId' });
  });
});
