import type { RequestContext } from '@ecom/platform/request-context';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import type { Money } from '../generated/resolvers-types.ts';
import { CartDiscountQuoteDocument, type CartDiscountQuoteQuery } from '../generated/marketing-calls.ts';
import { CartPriceQuoteDocument, type CartPriceQuoteQuery } from '../generated/pricing-calls.ts';
import type { CartSnapshotLine } from './cart-snapshot.ts';

export const DEFAULT_CURRENCY = 'CNY';

export interface QuotedCartLine {
  lineId: string;
  variantId: string;
  shopId: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface QuotedShopGroup {
  shopId: string;
  lineIds: string[];
  subtotal: Money;
  shipping: Money;
}

export interface AppliedPromotion {
  id: string;
  title: string;
  amount: Money;
}

export interface CostBreakdown {
  subtotal: Money;
  discount: Money;
  shipping: Money;
  total: Money;
}

/** Everything the cart shows about money, and what checkout charges: one computation for both. */
export interface CartQuote {
  lines: QuotedCartLine[];
  /** Lines whose variant has no current price: not part of the cost, and not purchasable. */
  unpricedLineIds: string[];
  shopGroups: QuotedShopGroup[];
  appliedPromotions: AppliedPromotion[];
  cost: CostBreakdown;
  /** Marketing's verdict on the coupon, null without one. */
  coupon: 'APPLIED' | 'INVALID' | null;
}

export interface QuoteInput {
  lines: readonly CartSnapshotLine[];
  couponCode: string | null;
}

export type QuoteCaller = Pick<RequestContext, 'requestId' | 'principal' | 'deadline'>;

/** Pricing's quote and marketing's discounts as the registered calls read them. */
type PriceQuote = CartPriceQuoteQuery['priceQuote'];
type DiscountQuote = CartDiscountQuoteQuery['discountQuote'];

const money = (amount: number, currency: string): Money => ({ amount, currency });

export function emptyQuote(currency = DEFAULT_CURRENCY): CartQuote {
  const zero = money(0, currency);
  return {
    lines: [],
    unpricedLineIds: [],
    shopGroups: [],
    appliedPromotions: [],
    cost: { subtotal: zero, discount: zero, shipping: zero, total: zero },
    coupon: null,
  };
}

export async function priceLines(subgraphs: SubgraphClient, caller: QuoteCaller, lines: readonly CartSnapshotLine[]): Promise<PriceQuote> {
  const data = await subgraphs.request(
    'pricing',
    CartPriceQuoteDocument,
    { lines: lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })) },
    caller,
  );
  return data.priceQuote;
}

export async function quoteDiscounts(
  subgraphs: SubgraphClient,
  caller: QuoteCaller,
  shopGroups: { shopId: string; subtotal: number }[],
  couponCode: string | null,
): Promise<DiscountQuote> {
  // The shopper's id lets marketing hold per-user coupon rules (WELCOME10 once per user).
  const data = await subgraphs.request(
    'marketing',
    CartDiscountQuoteDocument,
    { input: { shopGroups, couponCode }, userId: caller.principal.userId },
    caller,
  );
  return data.discountQuote;
}

/**
 * Prices the lines (pricing: unit prices, shop groups, shipping), then discounts them (marketing:
 * promotions and the coupon). total = subtotal - discount + shipping. An empty cart costs nothing
 * and asks nobody. Throws SubgraphCallError when pricing or marketing cannot answer.
 */
export async function quoteCart(subgraphs: SubgraphClient, caller: QuoteCaller, input: QuoteInput): Promise<CartQuote> {
  if (input.lines.length === 0) return emptyQuote();
  const priced = await priceLines(subgraphs, caller, input.lines);
  // A cart holds each variant on one line at most, so the variant identifies the line.
  const lineOfVariant = new Map(input.lines.map((l) => [l.variantId, l]));
  const missing = new Set(priced.missingVariantIds);

  const lines: QuotedCartLine[] = [];
  for (const q of priced.lines) {
    const line = lineOfVariant.get(q.variantId);
    if (!line || missing.has(q.variantId)) continue;
    lines.push({
      lineId: line.id,
      variantId: q.variantId,
      shopId: q.shopId,
      quantity: line.quantity,
      unitPrice: q.unitPrice,
      lineTotal: q.lineTotal,
    });
  }
  const pricedVariants = new Set(lines.map((l) => l.variantId));
  const unpricedLineIds = input.lines.filter((l) => !pricedVariants.has(l.variantId)).map((l) => l.id);
  const currency = lines[0]?.unitPrice.currency ?? priced.shopGroups[0]?.subtotal.currency ?? DEFAULT_CURRENCY;

  const shopGroups: QuotedShopGroup[] = priced.shopGroups
    .map((g) => ({
      shopId: g.shopId,
      lineIds: g.variantIds.filter((v) => pricedVariants.has(v)).map((v) => lineOfVariant.get(v)!.id),
      subtotal: g.subtotal,
      shipping: g.shipping,
    }))
    .filter((g) => g.lineIds.length > 0);

  const subtotal = lines.reduce((sum, l) => sum + l.lineTotal.amount, 0);
  const shipping = shopGroups.reduce((sum, g) => sum + g.shipping.amount, 0);

  let discount = 0;
  let appliedPromotions: AppliedPromotion[] = [];
  let coupon: CartQuote['coupon'] = null;
  if (shopGroups.length > 0) {
    const discounted = await quoteDiscounts(
      subgraphs,
      caller,
      shopGroups.map((g) => ({ shopId: g.shopId, subtotal: g.subtotal.amount })),
      input.couponCode,
    );
    // Marketing promises never more than the subtotal; the clamp keeps a total from going negative regardless.
    discount = Math.min(Math.max(discounted.total, 0), subtotal);
    appliedPromotions = discounted.applied.map((a) => ({ id: a.promotionId, title: a.title, amount: money(a.amount, currency) }));
    coupon = discounted.coupon;
  }

  return {
    lines,
    unpricedLineIds,
    shopGroups,
    appliedPromotions,
    cost: {
      subtotal: money(subtotal, currency),
      discount: money(discount, currency),
      shipping: money(shipping, currency),
      total: money(subtotal - discount + shipping, currency),
    },
    coupon,
  };
}
