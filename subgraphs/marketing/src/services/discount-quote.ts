import { invalidArgument } from '@ecom/platform/errors';
import { livePromotionsForShops, validCoupon, type MarketingDb } from '../db/promotions.ts';
import type { PromotionRow } from '../db/schema.ts';

const CURRENCY = 'CNY';
const MAX_SHOP_GROUPS = 100;
/** Longer than any code we issue: such input cannot be a coupon, so it is INVALID without a lookup. */
const MAX_COUPON_CODE_LENGTH = 64;

export interface DiscountQuoteInput {
  shopGroups: { shopId: string; subtotal: number }[];
  couponCode?: string | null;
}

export type CouponRefusal = 'UNKNOWN_OR_EXPIRED' | 'ALREADY_REDEEMED' | 'USAGE_LIMIT_REACHED';

export interface AppliedDiscount {
  promotionId: string;
  title: string;
  amount: number;
}

export interface DiscountQuote {
  currency: string;
  applied: AppliedDiscount[];
  total: number;
  coupon: 'APPLIED' | 'INVALID' | null;
  couponRefusal: CouponRefusal | null;
}

export const couponEntryId = (code: string) => `coupon:${code}`;
export const normaliseCouponCode = (code: string) => code.trim().toUpperCase();

function validate(input: DiscountQuoteInput): void {
  if (input.shopGroups.length > MAX_SHOP_GROUPS) {
    throw invalidArgument(`A quote takes at most ${MAX_SHOP_GROUPS} shop groups.`, 'input.shopGroups');
  }
  const seen = new Set<string>();
  input.shopGroups.forEach((g, i) => {
    if (g.subtotal < 0) throw invalidArgument('A subtotal cannot be negative.', `input.shopGroups[${i}].subtotal`);
    if (seen.has(g.shopId)) {
      throw invalidArgument(`Shop ${g.shopId} appears more than once; send one group per shop.`, `input.shopGroups[${i}].shopId`);
    }
    seen.add(g.shopId);
  });
}

/** What one promotion takes off one shop's subtotal, before the shop's cap. */
function promotionAmount(p: PromotionRow, subtotal: number): number {
  if (p.kind === 'PERCENT_OFF') return Math.floor((subtotal * (p.percentOff ?? 0)) / 100);
  return subtotal >= (p.thresholdAmount ?? Infinity) ? (p.discountAmount ?? 0) : 0;
}

/**
 * Promotions first, per shop group: every live promotion for that shop (or every shop) applies, and
 * together they never take more than the shop's subtotal. Then the coupon, on what is left of the
 * whole subtotal, capped by its max discount. `applied` lists promotions in their fixed order
 * (start, id), each summed over the shops, then the coupon. Two statements at most.
 */
export async function quoteDiscounts(db: MarketingDb, input: DiscountQuoteInput, userId: string | null = null): Promise<DiscountQuote> {
  validate(input);
  const code = input.couponCode == null ? null : normaliseCouponCode(input.couponCode);
  const shopIds = input.shopGroups.map((g) => g.shopId);
  const [live, coupon] = await Promise.all([
    shopIds.length > 0 ? livePromotionsForShops(db, shopIds) : Promise.resolve([]),
    code && code.length <= MAX_COUPON_CODE_LENGTH ? validCoupon(db, code, userId) : Promise.resolve(undefined),
  ]);

  const byPromotion = new Map(live.map((p) => [p.id, 0]));
  for (const group of input.shopGroups) {
    let left = group.subtotal;
    for (const p of live) {
      if (p.shopId !== null && p.shopId !== group.shopId) continue;
      const amount = Math.min(promotionAmount(p, group.subtotal), left);
      left -= amount;
      byPromotion.set(p.id, byPromotion.get(p.id)! + amount);
    }
  }
  const applied: AppliedDiscount[] = live
    .map((p) => ({ promotionId: p.id, title: p.title, amount: byPromotion.get(p.id)! }))
    .filter((a) => a.amount > 0);
  const promotionTotal = applied.reduce((sum, a) => sum + a.amount, 0);

  let total = promotionTotal;
  let verdict: DiscountQuote['coupon'] = null;
  const refusal = code === null ? null : couponRefusal(coupon);
  if (code !== null) {
    verdict = refusal ? 'INVALID' : 'APPLIED';
    if (coupon && !refusal) {
      const rest = input.shopGroups.reduce((sum, g) => sum + g.subtotal, 0) - promotionTotal;
      const { percentOff, maxDiscount, code: couponCode, title } = coupon.coupon;
      const amount = Math.min(Math.floor((rest * percentOff) / 100), maxDiscount, rest);
      if (amount > 0) applied.push({ promotionId: couponEntryId(couponCode), title, amount });
      total += amount;
    }
  }
  return { currency: CURRENCY, applied, total, coupon: verdict, couponRefusal: refusal };
}

/**
 * The usage rules, against the redemptions recorded from paid orders. They hold at quote time: two
 * checkouts racing with the last use, or a payment whose event marketing has not applied yet, can
 * each still get the discount (the count then exceeds the cap by those few; nothing is taken back).
 */
function couponRefusal(coupon: Awaited<ReturnType<typeof validCoupon>>): CouponRefusal | null {
  if (!coupon) return 'UNKNOWN_OR_EXPIRED';
  if (coupon.coupon.oncePerUser && coupon.redeemedByUser) return 'ALREADY_REDEEMED';
  if (coupon.coupon.maxRedemptions !== null && coupon.redemptions >= coupon.coupon.maxRedemptions) return 'USAGE_LIMIT_REACHED';
  return null;
}
