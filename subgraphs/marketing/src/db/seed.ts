import { DEMO_PRODUCT_COUNT, demoProducts } from '@ecom/platform/demo-catalog';
import type { MarketingDb } from './promotions.ts';
import { coupons, productBadges, promotions } from './schema.ts';

type PromotionSeed = typeof promotions.$inferInsert;

const SINCE_2025 = new Date('2025-01-01T00:00:00Z');
/** Exclusive end: valid through 2030-12-31. */
const UNTIL_2031 = new Date('2031-01-01T00:00:00Z');

export const DEMO_PROMOTIONS: PromotionSeed[] = [
  {
    id: 'promo-northwind-10',
    title: 'Northwind: 10% off',
    description: '10% off everything from Northwind Electronics.',
    kind: 'PERCENT_OFF',
    shopId: 'shop-northwind',
    percentOff: 10,
    badgeLabel: '10% off',
    startsAt: SINCE_2025,
  },
  {
    id: 'promo-lotus-threshold',
    title: 'Lotus Home: ¥30 off ¥199',
    description: 'Spend ¥199 at Lotus Home and get ¥30 off.',
    kind: 'THRESHOLD_DISCOUNT',
    shopId: 'shop-lotus',
    thresholdAmount: 19900,
    discountAmount: 3000,
    badgeLabel: '¥30 off ¥199',
    startsAt: SINCE_2025,
  },
  // Ended: must show nowhere and discount nothing.
  {
    id: 'promo-spring-2025',
    title: 'Spring sale: 15% off',
    description: '15% off in every shop, spring 2025.',
    kind: 'PERCENT_OFF',
    shopId: null,
    percentOff: 15,
    badgeLabel: '15% off',
    startsAt: new Date('2025-03-01T00:00:00Z'),
    endsAt: new Date('2025-04-01T00:00:00Z'),
  },
  // Switched off by hand although inside its window: must not show either.
  {
    id: 'promo-peak-clearance',
    title: 'Peak clearance: 20% off',
    description: '20% off Peak Outfitters, paused.',
    kind: 'PERCENT_OFF',
    shopId: 'shop-peak',
    percentOff: 20,
    badgeLabel: '20% off',
    startsAt: SINCE_2025,
    active: false,
  },
];

export const DEMO_COUPONS = [
  { code: 'WELCOME10', title: 'Welcome: 10% off', percentOff: 10, maxDiscount: 5000, validFrom: SINCE_2025, validTo: UNTIL_2031, oncePerUser: true },
  {
    code: 'FIRST100',
    title: 'First 100 orders: 20% off',
    percentOff: 20,
    maxDiscount: 3000,
    validFrom: SINCE_2025,
    validTo: UNTIL_2031,
    maxRedemptions: 100,
  },
  {
    code: 'SUMMER2025',
    title: 'Summer 2025: 15% off',
    percentOff: 15,
    maxDiscount: 8000,
    validFrom: new Date('2025-06-01T00:00:00Z'),
    validTo: new Date('2025-09-01T00:00:00Z'),
  },
];

const NEW_COUNT = 10;
/** The newest products (highest index) are NEW; a fixed handful are BESTSELLERs. */
export const isDemoNew = (index: number) => index > DEMO_PRODUCT_COUNT - NEW_COUNT;
export const isDemoBestseller = (index: number) => index % 25 === 0;

/** Deterministic and idempotent: rows that exist are left as they are. */
export async function seedMarketing(db: MarketingDb): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(promotions).values(DEMO_PROMOTIONS).onConflictDoNothing();
    await tx.insert(coupons).values(DEMO_COUPONS).onConflictDoNothing();
    const badges = demoProducts().flatMap((p) => [
      ...(isDemoNew(p.index) ? [{ productId: p.id, kind: 'NEW' as const, label: 'New' }] : []),
      ...(isDemoBestseller(p.index) ? [{ productId: p.id, kind: 'BESTSELLER' as const, label: 'Bestseller' }] : []),
    ]);
    await tx.insert(productBadges).values(badges).onConflictDoNothing();
  });
}
