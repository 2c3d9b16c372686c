import { DEMO_SHOPS, demoProducts, type DemoProduct } from '@ecom/platform/demo-catalog';
import type { PricingDb } from './prices.ts';
import { priceCalendar, shippingRules, variantPrices } from './schema.ts';

const CURRENCY = 'CNY';
/** Regular price points in fen; a product's tier comes from its index, variants step up from it. */
const PRICE_TIERS = [1990, 2990, 4990, 6990, 9990, 12900, 15900, 19900, 29900, 39900, 49900, 58900];
const VARIANT_STEP = 300;

const REGULAR_FROM = new Date('2025-01-01T00:00:00Z');
const FLASH_FROM = new Date('2025-06-01T00:00:00Z');
const FLASH_TO = new Date('2025-07-01T00:00:00Z');
const SALE_FROM = new Date('2025-11-01T00:00:00Z');
/** Exclusive end: the sale runs through 2030-12-31. */
const SALE_TO = new Date('2031-01-01T00:00:00Z');
const FUTURE_FROM = new Date('2099-01-01T00:00:00Z');

const SHIPPING: Record<string, { flatFee: number; freeThreshold: number }> = {
  'shop-northwind': { flatFee: 1000, freeThreshold: 19900 },
  'shop-lotus': { flatFee: 800, freeThreshold: 9900 },
  'shop-peak': { flatFee: 1500, freeThreshold: 29900 },
};

export const demoRegularPrice = (p: DemoProduct, variantIndex: number) =>
  PRICE_TIERS[(p.index * 7) % PRICE_TIERS.length]! + (variantIndex - 1) * VARIANT_STEP;
/** Roughly every fifth product is on sale now. */
export const isDemoSale = (p: DemoProduct) => p.index % 5 === 0;
/** 20% off, rounded to a price ending in 90. */
export const demoSalePrice = (regular: number) => Math.round((regular * 0.8) / 100) * 100 - 10;
/** Some variants already have a (higher) price scheduled for 2099, which must not show before then. */
export const hasDemoFuturePrice = (p: DemoProduct) => p.index % 10 === 3;
/** Some variants had a flash sale in June 2025: newer than the regular row, but over, so it must not show. */
export const hadDemoFlashSale = (p: DemoProduct) => p.index % 7 === 0;

/** Deterministic and idempotent: rows that exist are left as they are. */
export async function seedPricing(db: PricingDb): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(shippingRules)
      .values(DEMO_SHOPS.map((s) => ({ shopId: s.id, currency: CURRENCY, ...SHIPPING[s.id]! })))
      .onConflictDoNothing();
    const plan = demoProducts();
    await tx
      .insert(variantPrices)
      .values(plan.flatMap((p) => p.variants.map((v) => ({ variantId: v.id, productId: p.id, shopId: p.shopId }))))
      .onConflictDoNothing();
    const calendar = plan.flatMap((p) =>
      p.variants.flatMap((v) => {
        const regular = demoRegularPrice(p, v.index);
        const row = (suffix: string, amount: number, validFrom: Date, validTo: Date | null, compareAtAmount: number | null = null) => ({
          id: `${v.id}:${suffix}`,
          variantId: v.id,
          amount,
          compareAtAmount,
          currency: CURRENCY,
          validFrom,
          validTo,
        });
        return [
          row('regular', regular, REGULAR_FROM, null),
          ...(hadDemoFlashSale(p) ? [row('flash-2025-06', regular - 500, FLASH_FROM, FLASH_TO, regular)] : []),
          ...(isDemoSale(p) ? [row('sale', demoSalePrice(regular), SALE_FROM, SALE_TO, regular)] : []),
          ...(hasDemoFuturePrice(p) ? [row('2099', regular * 2, FUTURE_FROM, null)] : []),
        ];
      }),
    );
    await tx.insert(priceCalendar).values(calendar).onConflictDoNothing();
  });
}
