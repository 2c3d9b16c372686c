import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../src/db/schema.ts';
import { marketingSubgraph } from '../src/server.ts';

// The demo seed has no live promotion for every shop and none large enough to hit the caps, so
// this file adds some to a subgraph of its own.
let sg: TestSubgraph<typeof schema>;
beforeAll(async () => {
  sg = await startTestSubgraph(marketingSubgraph);
  await sg.dbHandle.db.insert(schema.promotions).values([
    {
      id: 'promo-all-5',
      title: 'Everything 5% off',
      description: '5% off in every shop.',
      kind: 'PERCENT_OFF',
      shopId: null,
      percentOff: 5,
      badgeLabel: '5% off everywhere',
      startsAt: new Date('2025-02-01T00:00:00Z'),
    },
    {
      id: 'promo-peak-huge',
      title: 'Peak: ¥9999 off',
      description: 'More off than anything costs.',
      kind: 'THRESHOLD_DISCOUNT',
      shopId: 'shop-peak',
      thresholdAmount: 0,
      discountAmount: 999_900,
      badgeLabel: '¥9999 off',
      startsAt: new Date('2025-03-01T00:00:00Z'),
    },
    {
      id: 'promo-lotus-2099',
      title: 'Lotus: half price in 2099',
      description: 'Not yet.',
      kind: 'PERCENT_OFF',
      shopId: 'shop-lotus',
      percentOff: 50,
      badgeLabel: '50% off',
      startsAt: new Date('2099-01-01T00:00:00Z'),
    },
  ]);
});
afterAll(() => sg?.dispose());

const BADGES = /* GraphQL */ `
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
        }
      }
    }
  }
`;
const QUOTE = /* GraphQL */ `
  query ($input: DiscountQuoteInput!) {
    discountQuote(input: $input) {
      applied {
        promotionId
        amount
      }
      total
      coupon
    }
  }
`;

describe('promotions for every shop, stacking and caps', () => {
  it('gives every shop the all-shop promotion, after its own, and no not-yet-started one', async () => {
    const res = await sg.call<{ _entities: { id: string; badges: { label: string }[]; promotions: { id: string }[] }[] }>(BADGES, {
      r: [
        { __typename: 'Product', id: 'prod-001', shop: { id: 'shop-northwind' } },
        { __typename: 'Product', id: 'prod-003', shop: { id: 'shop-lotus' } },
        { __typename: 'Product', id: 'prod-005', shop: { id: 'shop-peak' } },
        { __typename: 'Product', id: 'prod-191' },
      ],
    });
    expect(res.errors).toBeUndefined();
    const [northwind, lotus, peak, noShop] = res.data!._entities;
    expect(northwind!.promotions.map((p) => p.id)).toEqual(['promo-northwind-10', 'promo-all-5']);
    expect(lotus!.badges.map((b) => b.label)).toEqual(['¥30 off ¥199', '5% off everywhere']);
    expect(peak!.badges.map((b) => b.label)).toEqual(['5% off everywhere', '¥9999 off']);
    expect(noShop!.badges.map((b) => b.label)).toEqual(['5% off everywhere', 'New']);
  });

  it('stacks a shop’s promotions up to its subtotal, sums an all-shop promotion over the shops, then applies the coupon', async () => {
    const res = await sg.call<{ discountQuote: { applied: { promotionId: string; amount: number }[]; total: number; coupon: string } }>(QUOTE, {
      input: {
        shopGroups: [
          { shopId: 'shop-northwind', subtotal: 10000 },
          { shopId: 'shop-peak', subtotal: 10000 },
        ],
        couponCode: 'WELCOME10',
      },
    });
    expect(res.errors).toBeUndefined();
    // northwind: 1000 + 500; peak: 500 + what is left of 10000 (9500); coupon: 10% of 8500.
    expect(res.data!.discountQuote).toEqual({
      applied: [
        { promotionId: 'promo-northwind-10', amount: 1000 },
        { promotionId: 'promo-all-5', amount: 1000 },
        { promotionId: 'promo-peak-huge', amount: 9500 },
        { promotionId: 'coupon:WELCOME10', amount: 850 },
      ],
      total: 12350,
      coupon: 'APPLIED',
    });
  });

  it('never discounts more than the subtotal, coupon included', async () => {
    const res = await sg.call<{ discountQuote: { applied: { promotionId: string; amount: number }[]; total: number; coupon: string } }>(QUOTE, {
      input: { shopGroups: [{ shopId: 'shop-peak', subtotal: 10000 }], couponCode: 'welcome10' },
    });
    expect(res.data!.discountQuote).toEqual({
      applied: [
        { promotionId: 'promo-all-5', amount: 500 },
        { promotionId: 'promo-peak-huge', amount: 9500 },
      ],
      total: 10000,
      coupon: 'APPLIED',
    });
  });
});
