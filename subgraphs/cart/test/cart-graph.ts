import { randomUUID } from 'node:crypto';
import { demoProducts } from '@ecom/platform/demo-catalog';
import type { SubgraphName } from '@ecom/platform/env';
import { DEAD_URL, startSubgraphs, type AnyTestSubgraph, type CallAs, type GraphQLResponse } from '@ecom/platform/testing';
import { inventorySubgraph } from '@ecom/inventory/server';
import { marketingSubgraph } from '@ecom/marketing/server';
import { shippingRules } from '@ecom/pricing/db-schema';
import { pricingSubgraph } from '@ecom/pricing/server';
import type { Money } from '../src/generated/resolvers-types.ts';
import { cartSubgraph } from '../src/server.ts';

export { DEAD_URL };

type AnySubgraph = AnyTestSubgraph;

export interface CartGraph {
  cart: AnySubgraph;
  inventory: AnySubgraph;
  pricing: AnySubgraph;
  marketing: AnySubgraph;
  /** Read at request time: tests repoint a sibling to take it down and bring it back. */
  urls: Record<SubgraphName, string>;
  dispose(): Promise<void>;
}

/** The cart next to the real siblings it calls, each on its own fresh database. */
export async function startCartGraph(): Promise<CartGraph> {
  const { subgraphs, urls, dispose } = await startSubgraphs({
    inventory: inventorySubgraph,
    pricing: pricingSubgraph,
    marketing: marketingSubgraph,
    cart: cartSubgraph,
  });
  return { ...subgraphs, urls, dispose };
}

export const CART_FIELDS = /* GraphQL */ `
  fragment CartFields on Cart {
    id
    version
    couponCode
    lines {
      id
      quantity
      variant {
        id
      }
    }
    shopGroups {
      shop {
        id
      }
      lineIds
      subtotal {
        amount
        currency
      }
      shipping {
        amount
        currency
      }
    }
    appliedPromotions {
      id
      title
      amount {
        amount
        currency
      }
    }
    cost {
      subtotal {
        amount
        currency
      }
      discount {
        amount
        currency
      }
      shipping {
        amount
        currency
      }
      total {
        amount
        currency
      }
    }
  }
`;

const resultFields = (extras: string[]) => /* GraphQL */ `
  __typename
  ... on Cart { ...CartFields }
  ... on DomainError { code message retryable }
  ... on ValidationError { field }
  ${extras.join('\n  ')}
`;
const STOCK = '... on InsufficientStockError { variantId available }';
const VERSION = '... on VersionConflictError { currentVersion }';

export interface CartView {
  __typename: 'Cart';
  id: string;
  version: number;
  couponCode: string | null;
  lines: { id: string; quantity: number; variant: { id: string } }[];
  shopGroups: { shop: { id: string }; lineIds: string[]; subtotal: Money; shipping: Money }[] | null;
  appliedPromotions: { id: string; title: string; amount: Money }[] | null;
  cost: { subtotal: Money; discount: Money; shipping: Money; total: Money } | null;
}

export type MutationResult =
  | CartView
  | {
      __typename: string;
      code: string;
      message: string;
      retryable: boolean;
      field?: string;
      variantId?: string;
      available?: number;
      currentVersion?: number;
    };

const mutationDoc = (name: string, inputType: string, extras: string[] = []) => /* GraphQL */ `
  mutation ($input: ${inputType}!) { ${name}(input: $input) { ${resultFields(extras)} } }
  ${CART_FIELDS}
`;

const MUTATIONS = {
  addToCart: mutationDoc('addToCart', 'AddToCartInput', [STOCK]),
  updateCartLine: mutationDoc('updateCartLine', 'UpdateCartLineInput', [STOCK, VERSION]),
  removeCartLine: mutationDoc('removeCartLine', 'RemoveCartLineInput', [VERSION]),
  mergeCart: mutationDoc('mergeCart', 'MergeCartInput'),
  applyCoupon: mutationDoc('applyCoupon', 'ApplyCouponInput'),
} as const;

export type MutationName = keyof typeof MUTATIONS;

/** Runs a cart mutation (a fresh idempotency key unless one is given) and returns its union member. */
export async function mutate(cart: AnySubgraph, name: MutationName, input: Record<string, unknown>, as: CallAs = {}): Promise<MutationResult> {
  const res = await mutateRaw(cart, name, { idempotencyKey: randomUUID(), ...input }, as);
  if (res.errors) throw new Error(`${name} failed: ${JSON.stringify(res.errors)}`);
  return res.data![name]!;
}

export function mutateRaw(cart: AnySubgraph, name: MutationName, input: Record<string, unknown>, as: CallAs = {}) {
  return cart.call<Record<string, MutationResult>>(MUTATIONS[name], { input }, as);
}

/** A mutation that must succeed: its cart. */
export async function mutateCart(cart: AnySubgraph, name: MutationName, input: Record<string, unknown>, as: CallAs = {}): Promise<CartView> {
  const result = await mutate(cart, name, input, as);
  if (result.__typename !== 'Cart') throw new Error(`${name} answered ${JSON.stringify(result)}`);
  return result as CartView;
}

export async function readCart(cart: AnySubgraph, id: string, as: CallAs = {}): Promise<GraphQLResponse<{ cart: CartView | null }>> {
  return cart.call<{ cart: CartView | null }>(`query ($id: ID!) { cart(id: $id) { ...CartFields } } ${CART_FIELDS}`, { id }, as);
}

export async function availableOf(inventory: AnySubgraph, variantId: string): Promise<number> {
  const res = await inventory.call<{ stockLevel: { available: number } | null }>(`query ($v: ID!) { stockLevel(variantId: $v) { available } }`, {
    v: variantId,
  });
  return res.data!.stockLevel!.available;
}

/** Current prices straight from pricing, for computing a cost independently of the cart. */
export async function pricesOf(pricing: AnySubgraph, variantIds: string[]): Promise<Map<string, number>> {
  const res = await pricing.call<{ _entities: { id: string; price: Money | null }[] }>(
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Variant { id price { amount currency } } } }`,
    { r: variantIds.map((id) => ({ __typename: 'Variant', id })) },
  );
  return new Map(res.data!._entities.map((e) => [e.id, e.price!.amount]));
}

export const line = (cart: CartView, variantId: string) => cart.lines.find((l) => l.variant.id === variantId);

/** Each shop's flat fee and free-shipping threshold, read from pricing's own table. */
export async function shippingRulesOf(pricing: AnySubgraph): Promise<Map<string, { flatFee: number; freeThreshold: number }>> {
  const rows = await pricing.dbHandle.db.select().from(shippingRules);
  return new Map(rows.map((r) => [r.shopId, { flatFee: r.flatFee, freeThreshold: r.freeThreshold }]));
}

/** Units available per demo variant, in one call; tests pick their variants by stock, not by seed arithmetic. */
export async function stockOfDemoVariants(inventory: AnySubgraph): Promise<{ variantId: string; shopId: string; available: number }[]> {
  const variants = demoProducts().flatMap((p) => p.variants.map((v) => ({ variantId: v.id, shopId: p.shopId })));
  const res = await inventory.call<{ _entities: { id: string; stock: { available: number } | null }[] }>(
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Variant { id stock { available } } } }`,
    { r: variants.map((v) => ({ __typename: 'Variant', id: v.variantId })) },
  );
  return variants.map((v, i) => ({ ...v, available: res.data!._entities[i]!.stock!.available }));
}
