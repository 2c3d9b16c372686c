import { fault, invalidArgument } from '@ecom/platform/errors';
import { currentPricesOfVariants, shippingRulesOfShops, type PricingDb } from '../db/prices.ts';
import type { PriceQuote, QuotedLine, QuotedShopGroup } from '../generated/resolvers-types.ts';
import { money } from './money.ts';

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 999;
export const MAX_QUOTE_LINES = 500;
/** GraphQL Int is 32-bit: no amount in a quote may exceed it. */
const MAX_AMOUNT = 2_147_483_647;

export interface QuoteLineInput {
  variantId: string;
  quantity: number;
}

/**
 * Duplicate variant ids are rejected rather than merged: callers send one line per variant, and a
 * merged line would not map back to the caller's lines.
 */
function validate(lines: QuoteLineInput[]): void {
  if (lines.length > MAX_QUOTE_LINES) {
    throw invalidArgument(`A quote takes at most ${MAX_QUOTE_LINES} lines; split the request.`, 'lines');
  }
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < MIN_QUANTITY || line.quantity > MAX_QUANTITY) {
      throw invalidArgument(`Quantity must be between ${MIN_QUANTITY} and ${MAX_QUANTITY}.`, `lines[${i}].quantity`);
    }
    if (seen.has(line.variantId)) {
      throw invalidArgument(`Variant ${line.variantId} appears more than once; send one line per variant.`, `lines[${i}].variantId`);
    }
    seen.add(line.variantId);
  });
}

function checkedAmount(amount: number, field: string): number {
  if (amount > MAX_AMOUNT) throw invalidArgument('The quote is too large to price; reduce the quantities.', field);
  return amount;
}

/**
 * Prices the lines at their current prices and groups them per shop (in order of first appearance)
 * with the shop's shipping: the flat fee, waived once the shop's subtotal reaches its free threshold.
 * Two statements whatever the number of lines. A shop without a shipping rule ships free.
 */
export async function quotePrices(db: PricingDb, input: QuoteLineInput[]): Promise<PriceQuote> {
  validate(input);
  if (input.length === 0) return { lines: [], shopGroups: [], missingVariantIds: [] };

  const prices = new Map(
    (
      await currentPricesOfVariants(
        db,
        input.map((l) => l.variantId),
      )
    ).map((p) => [p.variantId, p]),
  );
  const lines: QuotedLine[] = [];
  const missingVariantIds: string[] = [];
  const groups = new Map<string, { variantIds: string[]; subtotal: number; currency: string }>();
  input.forEach((line, i) => {
    const price = prices.get(line.variantId);
    if (!price) {
      missingVariantIds.push(line.variantId);
      return;
    }
    const lineTotal = checkedAmount(price.amount * line.quantity, `lines[${i}].quantity`);
    lines.push({
      variantId: line.variantId,
      shopId: price.shopId,
      quantity: line.quantity,
      unitPrice: money(price.amount, price.currency),
      lineTotal: money(lineTotal, price.currency),
    });
    const group = groups.get(price.shopId) ?? { variantIds: [], subtotal: 0, currency: price.currency };
    if (group.currency !== price.currency) {
      throw fault('INTERNAL', `Shop ${price.shopId} has prices in more than one currency, so its lines cannot be totalled.`);
    }
    group.variantIds.push(line.variantId);
    group.subtotal = checkedAmount(group.subtotal + lineTotal, 'lines');
    groups.set(price.shopId, group);
  });
  if (groups.size === 0) return { lines, shopGroups: [], missingVariantIds };

  const rules = new Map((await shippingRulesOfShops(db, [...groups.keys()])).map((r) => [r.shopId, r]));
  const shopGroups = [...groups].map(([shopId, g]): QuotedShopGroup => {
    const rule = rules.get(shopId);
    if (rule && rule.currency !== g.currency) {
      throw fault('INTERNAL', `Shop ${shopId} charges shipping in ${rule.currency} but prices in ${g.currency}.`);
    }
    const shipping = rule && g.subtotal < rule.freeThreshold ? rule.flatFee : 0;
    return { shopId, variantIds: g.variantIds, subtotal: money(g.subtotal, g.currency), shipping: money(shipping, g.currency) };
  });
  return { lines, shopGroups, missingVariantIds };
}
