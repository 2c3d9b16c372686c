import { domainError, type DomainErrorResult } from '@ecom/platform/errors';
import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import { bumpVersion, cartsByIds, linesOfCart, lockCart, type CartDb } from '../db/carts.ts';
import { allOrNothing } from './all-or-nothing.ts';
import { callerScope } from './caller-scope.ts';
import type { CartEnv } from './cart-env.ts';
import { priceLines, quoteDiscounts } from './cart-quote.ts';
import { checkId, invalid, notFound, type Invalid, type NotFound } from './cart-rules.ts';
import { isVisibleTo, readSnapshot, type CartSnapshot } from './cart-snapshot.ts';
import { CartMoved, idempotentAfterCalls, type IdempotencyOutcome } from './idempotent.ts';

export interface ApplyCouponInput {
  cartId: string;
  code: string;
  idempotencyKey: string;
}

const COUPON_CODE = /^[A-Z0-9_-]{1,64}$/;

/** Coupon codes are case-insensitive: stored and quoted upper-cased. */
export const normaliseCouponCode = (code: string) => code.trim().toUpperCase();

type Applied = CartSnapshot | Invalid | NotFound | DomainErrorResult<'CouponInvalidError'>;

export async function applyCoupon(env: CartEnv, input: ApplyCouponInput): Promise<Applied | IdempotencyOutcome> {
  const code = normaliseCouponCode(input.code);
  if (!COUPON_CODE.test(code)) return invalid('input.code', 'A coupon code is 1 to 64 letters, digits, "-" or "_".');
  const bad = checkId(input.cartId, 'input.cartId');
  if (bad) return bad;
  return idempotentAfterCalls(
    env.db,
    { caller: callerScope(env.principal, input.cartId), mutation: 'applyCoupon', key: input.idempotencyKey, input: { ...input } },
    () => askMarketing(env, input.cartId, code),
    (tx, verdict) => allOrNothing(tx, (sp) => apply(sp, env, input.cartId, code, verdict)),
  );
}

/** Marketing's verdict on the code for the cart as it is now (its version with it); null for no visible cart. */
interface MarketingVerdict {
  version: number;
  valid: boolean;
  refusal: string | null;
}

async function askMarketing(env: CartEnv, cartId: string, code: string): Promise<MarketingVerdict | null> {
  const [cart] = await cartsByIds(env.db, [cartId]);
  if (!cart || !isVisibleTo(cart, env.principal)) return null;
  const lines = await linesOfCart(env.db, cart.id);
  const groups = lines.length > 0 ? (await withSiblingFaults(priceLines(env.subgraphs, env, lines))).shopGroups : [];
  const verdict = await withSiblingFaults(
    quoteDiscounts(
      env.subgraphs,
      env,
      groups.map((g) => ({ shopId: g.shopId, subtotal: g.subtotal.amount })),
      code,
    ),
  );
  return { version: cart.version, valid: verdict.coupon !== 'INVALID', refusal: verdict.couponRefusal };
}

/** Marketing decides whether the code is known and current, against the cart's own shop groups (asked before, checked still current here). */
async function apply(tx: CartDb, env: CartEnv, cartId: string, code: string, verdict: MarketingVerdict | null): Promise<Applied> {
  const cart = await lockCart(tx, cartId);
  if (!cart || !isVisibleTo(cart, env.principal)) return notFound('cart');
  if (!verdict || cart.version !== verdict.version) throw new CartMoved();
  if (!verdict.valid) {
    return domainError('CouponInvalidError', refusalMessage(code, verdict.refusal));
  }
  await bumpVersion(tx, cart.id, { couponCode: code });
  return readSnapshot(tx, cart.id);
}

function refusalMessage(code: string, refusal: string | null): string {
  switch (refusal) {
    case 'ALREADY_REDEEMED':
      return `You have already used the coupon ${code}; it can be used once per customer.`;
    case 'USAGE_LIMIT_REACHED':
      return `The coupon ${code} has been used as many times as it allows and is no longer available.`;
    default:
      return `The coupon ${code} is unknown or has expired. Check the code and try again.`;
  }
}
