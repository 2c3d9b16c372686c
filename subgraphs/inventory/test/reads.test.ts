import { demoProducts } from '@ecom/platform/demo-catalog';
import { startTestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDiscrepancies } from '../src/db/ledger.ts';
import { seedInventory } from '../src/db/seed.ts';
import { inventorySubgraph } from '../src/server.ts';
import { stockOf, type Inventory, type StockLevel } from './inventory-client.ts';

let sg: Inventory;
beforeAll(async () => {
  sg = await startTestSubgraph(inventorySubgraph);
});
afterAll(() => sg?.dispose());

const ENTITIES = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      __typename
      ... on Product {
        id
        availability {
          status
          available
        }
      }
      ... on Variant {
        id
        stock {
          variantId
          onHand
          reserved
          available
          status
        }
      }
    }
  }
`;
type Entity = {
  __typename: 'Product' | 'Variant';
  id: string;
  availability?: { status: string; available: number } | null;
  stock?: StockLevel | null;
};

async function entities(representations: { __typename: string; id: string }[]) {
  const res = await sg.call<{ _entities: Entity[] }>(ENTITIES, { r: representations });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
}

const plan = demoProducts();
const allVariants = plan.flatMap((p) => p.variants.map((v) => ({ __typename: 'Variant', id: v.id })));
const allProducts = plan.map((p) => ({ __typename: 'Product', id: p.id }));

describe('stock reads', () => {
  it('seeds every status, with available = onHand - reserved and nothing reserved', async () => {
    const result = await entities(allVariants);
    const stock = result.map((e) => e.stock!);
    expect(stock).toHaveLength(allVariants.length);
    for (const s of stock) {
      expect(s.reserved).toBe(0);
      expect(s.available).toBe(s.onHand - s.reserved);
      const expected = s.available === 0 ? 'OUT_OF_STOCK' : s.available <= 5 ? 'LOW_STOCK' : 'IN_STOCK';
      expect(s.status).toBe(expected);
    }
    const statuses = new Set(stock.map((s) => s.status));
    expect([...statuses].sort()).toEqual(['IN_STOCK', 'LOW_STOCK', 'OUT_OF_STOCK']);
  });

  it('sums a product over its variants, with the status of the sum', async () => {
    const [soldOut, lowOverall, inStock] = await entities([
      { __typename: 'Product', id: 'prod-010' },
      { __typename: 'Product', id: 'prod-007' },
      { __typename: 'Product', id: 'prod-001' },
    ]);
    expect(soldOut!.availability).toEqual({ status: 'OUT_OF_STOCK', available: 0 });
    expect(lowOverall!.availability).toEqual({ status: 'LOW_STOCK', available: 2 });
    expect(inStock!.availability!.status).toBe('IN_STOCK');
    const variants = await entities(plan[0]!.variants.map((v) => ({ __typename: 'Variant', id: v.id })));
    expect(inStock!.availability!.available).toBe(variants.reduce((sum, v) => sum + v.stock!.available, 0));

    const products = await entities(allProducts);
    expect(new Set(products.map((p) => p.availability!.status)).size).toBe(3);
  });

  it('answers stockLevel by variant id, and null for an unknown one', async () => {
    const s = await stockOf(sg, 'var-003-1');
    expect(s).toMatchObject({ variantId: 'var-003-1', reserved: 0, status: 'LOW_STOCK' });
    const res = await sg.call<{ stockLevel: unknown }>(`{ stockLevel(variantId: "var-999-9") { variantId } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.stockLevel).toBeNull();
  });

  it('gives null stock and availability for entities it keeps no stock for', async () => {
    const [product, variant] = await entities([
      { __typename: 'Product', id: 'prod-nope' },
      { __typename: 'Variant', id: 'var-nope' },
    ]);
    expect(product).toMatchObject({ id: 'prod-nope', availability: null });
    expect(variant).toMatchObject({ id: 'var-nope', stock: null });
  });

  it('costs one statement per field type per _entities call: 12 and 96 products and variants alike', async () => {
    const count = async (n: number) => {
      const reps = [...allProducts.slice(0, n), ...allVariants.slice(0, n)];
      const before = sg.dbHandle.statementCount();
      const result = await entities(reps);
      expect(result.filter((e) => e.availability)).toHaveLength(n);
      expect(result.filter((e) => e.stock)).toHaveLength(n);
      return sg.dbHandle.statementCount() - before;
    };
    const small = await count(12);
    const large = await count(96);
    expect(large).toBe(small);
    // stock levels by variant, availability grouped by product
    expect(small).toBe(2);
  });

  it('seeds idempotently: a second seed changes nothing and the books balance', async () => {
    const before = await entities(allVariants);
    await seedInventory(sg.deps.db);
    expect(await entities(allVariants)).toEqual(before);
    expect(await ledgerDiscrepancies(sg.deps.db)).toEqual([]);
  });
});
