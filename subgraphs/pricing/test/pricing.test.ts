import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as schema from '../src/db/schema.ts';
import { pricingSubgraph } from '../src/server.ts';

let sg: TestSubgraph<typeof schema>;
beforeAll(async () => {
  sg = await startTestSubgraph(pricingSubgraph);
});
afterAll(() => sg?.dispose());

const cny = (amount: number) => ({ amount, currency: 'CNY' });
const pad = (n: number) => String(n).padStart(3, '0');

const ENTITIES = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Product {
        id
        priceRange {
          min {
            amount
            currency
          }
          max {
            amount
            currency
          }
        }
      }
      ... on Variant {
        id
        price {
          amount
          currency
        }
        compareAtPrice {
          amount
          currency
        }
      }
    }
  }
`;
type Entity = {
  id: string;
  priceRange?: { min: { amount: number; currency: string }; max: { amount: number; currency: string } } | null;
  price?: { amount: number; currency: string } | null;
  compareAtPrice?: { amount: number; currency: string } | null;
};
const entities = async (reps: { __typename: string; id: string }[]) => {
  const res = await sg.call<{ _entities: Entity[] }>(ENTITIES, { r: reps });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
};
const product = (id: string) => ({ __typename: 'Product', id });
const variant = (id: string) => ({ __typename: 'Variant', id });

describe('entity prices', () => {
  it('prices a regular product: current price, no compareAtPrice, range over its variants', async () => {
    // prod-001: tier 19900, three variants stepping by 300.
    const [p, v1, v3] = await entities([product('prod-001'), variant('var-001-1'), variant('var-001-3')]);
    expect(p!.priceRange).toEqual({ min: cny(19900), max: cny(20500) });
    expect(v1).toMatchObject({ price: cny(19900), compareAtPrice: null });
    expect(v3).toMatchObject({ price: cny(20500), compareAtPrice: null });
  });

  it('prices a sale product at the sale price with the regular price as compareAtPrice', async () => {
    // prod-005: regular 58900..59800, on sale at 20% off (ending in 90) through 2030.
    const [p, v1, v4] = await entities([product('prod-005'), variant('var-005-1'), variant('var-005-4')]);
    expect(p!.priceRange).toEqual({ min: cny(47090), max: cny(47790) });
    expect(v1).toMatchObject({ price: cny(47090), compareAtPrice: cny(58900) });
    expect(v4).toMatchObject({ price: cny(47790), compareAtPrice: cny(59800) });
  });

  it('ignores a price scheduled for 2099', async () => {
    // prod-003 has a doubled price from 2099-01-01 on both variants.
    const [p, v1] = await entities([product('prod-003'), variant('var-003-1')]);
    expect(p!.priceRange).toEqual({ min: cny(39900), max: cny(40200) });
    expect(v1).toMatchObject({ price: cny(39900), compareAtPrice: null });
  });

  it('ignores a newer calendar row whose window has ended', async () => {
    // prod-007 had a flash sale in June 2025 (2490) that started after its regular price (2990).
    const [p, v1] = await entities([product('prod-007'), variant('var-007-1')]);
    expect(p!.priceRange).toEqual({ min: cny(2990), max: cny(3590) });
    expect(v1).toMatchObject({ price: cny(2990), compareAtPrice: null });
  });

  it('answers null for ids pricing has no price for', async () => {
    const [p, v] = await entities([product('prod-nope'), variant('var-nope')]);
    expect(p).toEqual({ id: 'prod-nope', priceRange: null });
    expect(v).toEqual({ id: 'var-nope', price: null, compareAtPrice: null });
  });

  it('costs the same statements for 12 and 96 products with their variants', async () => {
    const count = async (n: number) => {
      const reps = Array.from({ length: n }, (_, i) => [
        product(`prod-${pad(i + 1)}`),
        variant(`var-${pad(i + 1)}-1`),
        variant(`var-${pad(i + 1)}-2`),
      ]).flat();
      const before = sg.dbHandle.statementCount();
      const result = await entities(reps);
      expect(result).toHaveLength(n * 3);
      for (const e of result) expect(e.priceRange ?? e.price).not.toBeNull();
      return sg.dbHandle.statementCount() - before;
    };
    const small = await count(12);
    const large = await count(96);
    expect(large).toBe(small);
    // price ranges, current variant prices (shared by price and compareAtPrice)
    expect(small).toBe(2);
  });
});

const QUOTE = /* GraphQL */ `
  query ($lines: [QuoteLineInput!]!) {
    priceQuote(lines: $lines) {
      lines {
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
      shopGroups {
        shopId
        variantIds
        subtotal {
          amount
          currency
        }
        shipping {
          amount
          currency
        }
      }
      missingVariantIds
    }
  }
`;
type Quote = {
  priceQuote: {
    lines: { variantId: string; shopId: string; quantity: number; unitPrice: unknown; lineTotal: unknown }[];
    shopGroups: { shopId: string; variantIds: string[]; subtotal: unknown; shipping: unknown }[];
    missingVariantIds: string[];
  };
};

describe('priceQuote', () => {
  it('prices lines, groups them per shop with shipping, and lists variants without a price', async () => {
    const res = await sg.call<Quote>(QUOTE, {
      lines: [
        { variantId: 'var-001-1', quantity: 1 }, // northwind 19900: exactly the free threshold
        { variantId: 'var-009-1', quantity: 1 }, // lotus 6990: below 9900, pays 800
        { variantId: 'var-006-1', quantity: 2 }, // peak 15900 x 2
        { variantId: 'var-nope', quantity: 1 },
        { variantId: 'var-005-1', quantity: 1 }, // peak, on sale at 47090
      ],
    });
    expect(res.errors).toBeUndefined();
    const q = res.data!.priceQuote;
    expect(q.lines).toEqual([
      { variantId: 'var-001-1', shopId: 'shop-northwind', quantity: 1, unitPrice: cny(19900), lineTotal: cny(19900) },
      { variantId: 'var-009-1', shopId: 'shop-lotus', quantity: 1, unitPrice: cny(6990), lineTotal: cny(6990) },
      { variantId: 'var-006-1', shopId: 'shop-peak', quantity: 2, unitPrice: cny(15900), lineTotal: cny(31800) },
      { variantId: 'var-005-1', shopId: 'shop-peak', quantity: 1, unitPrice: cny(47090), lineTotal: cny(47090) },
    ]);
    expect(q.shopGroups).toEqual([
      { shopId: 'shop-northwind', variantIds: ['var-001-1'], subtotal: cny(19900), shipping: cny(0) },
      { shopId: 'shop-lotus', variantIds: ['var-009-1'], subtotal: cny(6990), shipping: cny(800) },
      { shopId: 'shop-peak', variantIds: ['var-006-1', 'var-005-1'], subtotal: cny(78890), shipping: cny(0) },
    ]);
    expect(q.missingVariantIds).toEqual(['var-nope']);
  });

  it('charges the flat fee just below the free-shipping threshold', async () => {
    // northwind: 4990 x 3 = 14970 < 19900; peak: 15900 < 29900.
    const res = await sg.call<Quote>(QUOTE, {
      lines: [
        { variantId: 'var-002-1', quantity: 3 },
        { variantId: 'var-006-1', quantity: 1 },
      ],
    });
    expect(res.data!.priceQuote.shopGroups).toEqual([
      { shopId: 'shop-northwind', variantIds: ['var-002-1'], subtotal: cny(14970), shipping: cny(1000) },
      { shopId: 'shop-peak', variantIds: ['var-006-1'], subtotal: cny(15900), shipping: cny(1500) },
    ]);
  });

  it('answers an empty quote for no lines and only missing ids when nothing is priced', async () => {
    const empty = await sg.call<Quote>(QUOTE, { lines: [] });
    expect(empty.data!.priceQuote).toEqual({ lines: [], shopGroups: [], missingVariantIds: [] });
    const missing = await sg.call<Quote>(QUOTE, { lines: [{ variantId: 'var-nope', quantity: 2 }] });
    expect(missing.data!.priceQuote).toEqual({ lines: [], shopGroups: [], missingVariantIds: ['var-nope'] });
  });

  it('costs the same statements for 3 and 60 lines', async () => {
    const count = async (n: number) => {
      const lines = Array.from({ length: n }, (_, i) => ({ variantId: `var-${pad(i + 1)}-1`, quantity: 1 + (i % 3) }));
      const before = sg.dbHandle.statementCount();
      const res = await sg.call<Quote>(QUOTE, { lines });
      expect(res.data!.priceQuote.lines).toHaveLength(n);
      return sg.dbHandle.statementCount() - before;
    };
    const small = await count(3);
    expect(await count(60)).toBe(small);
    // current prices, shipping rules
    expect(small).toBe(2);
  });

  it.each([0, 1000, -1])('rejects quantity %i with INVALID_INPUT', async (quantity) => {
    const res = await sg.call(QUOTE, {
      lines: [
        { variantId: 'var-001-1', quantity: 1 },
        { variantId: 'var-002-1', quantity },
      ],
    });
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'lines[1].quantity', retryable: false });
  });

  it('accepts the quantity bounds 1 and 999', async () => {
    const res = await sg.call<Quote>(QUOTE, {
      lines: [
        { variantId: 'var-001-1', quantity: 1 },
        { variantId: 'var-002-1', quantity: 999 },
      ],
    });
    expect(res.data!.priceQuote.lines.map((l) => l.lineTotal)).toEqual([cny(19900), cny(4990 * 999)]);
  });

  it('rejects a variant listed twice with INVALID_INPUT', async () => {
    const res = await sg.call(QUOTE, {
      lines: [
        { variantId: 'var-001-1', quantity: 1 },
        { variantId: 'var-001-1', quantity: 2 },
      ],
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'lines[1].variantId' });
    expect(res.errors?.[0]?.message).toMatch(/more than once/);
  });
});

describe('seed', () => {
  it('is idempotent: seeding again changes nothing', async () => {
    const before = await entities([product('prod-005'), product('prod-100'), variant('var-200-2')]);
    await pricingSubgraph.seed(sg.dbHandle.db);
    expect(await entities([product('prod-005'), product('prod-100'), variant('var-200-2')])).toEqual(before);
  });
});
