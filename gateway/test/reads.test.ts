import { DEMO_CATEGORIES } from '@ecom/platform/demo-catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from './support/graph.ts';
import { operation } from './support/operations.ts';

const CATEGORIES = operation('web/Categories');
const LISTING = operation('web/CategoryListing');
const DETAIL = operation('web/ProductDetail');
const MOBILE_LISTING = operation('mobile/MobileListing');

type Money = { amount: number; currency: string };
type ListingNode = {
  id: string;
  title: string;
  slug: string;
  imageUrl: string;
  shop: { id: string; name: string };
  priceRange: { min: Money; max: Money } | null;
  availability: { status: string; available: number } | null;
  badges: { kind: string; label: string }[] | null;
};
type Listing = {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: ListingNode }[];
  };
};
type Detail = {
  product: {
    id: string;
    category: { id: string };
    variants: { id: string; sku: string; price: Money | null; compareAtPrice: Money | null; stock: { status: string; available: number } | null }[];
    availability: { status: string; available: number } | null;
    promotions: { id: string; title: string; kind: string }[] | null;
    badges: { kind: string; label: string }[] | null;
  } | null;
};

const STOCK_STATUSES = ['IN_STOCK', 'LOW_STOCK', 'OUT_OF_STOCK'];

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(() => graph?.stop());

async function listing(variables: Record<string, unknown>) {
  const res = await graph.request<Listing>(LISTING, variables);
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.products;
}

describe('Categories', () => {
  it('lists the demo categories', async () => {
    const res = await graph.request<{ categories: { id: string; name: string; slug: string }[] }>(CATEGORIES);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.categories.length).toBeGreaterThanOrEqual(6);
    expect(res.body.data!.categories).toEqual(expect.arrayContaining(DEMO_CATEGORIES.map((c) => ({ ...c }))));
  });
});

describe('CategoryListing', () => {
  it('hydrates a page of 48 with price range, availability and badges from their subgraphs', async () => {
    const page = await listing({ first: 48 });
    expect(page.totalCount).toBe(200);
    expect(page.edges).toHaveLength(48);
    expect(page.pageInfo.hasNextPage).toBe(true);
    for (const { node } of page.edges) {
      expect(node.priceRange).not.toBeNull();
      expect(node.priceRange!.min.currency).toBe('CNY');
      expect(node.priceRange!.min.amount).toBeGreaterThan(0);
      expect(node.priceRange!.max.amount).toBeGreaterThanOrEqual(node.priceRange!.min.amount);
      expect(node.availability).not.toBeNull();
      expect(STOCK_STATUSES).toContain(node.availability!.status);
      expect(node.badges).not.toBeNull();
    }
    // The demo seed promises promotions that show as badges somewhere in the catalog.
    const all = await collectAll({ first: 100 });
    expect(all.some((n) => n.badges!.length > 0)).toBe(true);
  });

  it('pages with cursors to the end without gaps or repeats', async () => {
    const nodes = await collectAll({ first: 48 });
    expect(nodes).toHaveLength(200);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(200);
  });

  it('filters by category', async () => {
    const categoryId = DEMO_CATEGORIES[1].id;
    const nodes = await collectAll({ first: 20, filter: { categoryId } });
    const page = await listing({ first: 1, filter: { categoryId } });
    expect(nodes.length).toBe(page.totalCount);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.length).toBeLessThan(200);
    const check = await graph.request<{ products: { edges: { node: { category: { id: string } } }[] } }>(
      `query ($filter: ProductFilter) { products(filter: $filter, first: 100) { edges { node { category { id } } } } }`,
      { filter: { categoryId } },
    );
    expect(check.body.data!.products.edges.every((e) => e.node.category.id === categoryId)).toBe(true);
  });

  it.each([0, 101])('answers first: %i with a top-level INVALID_INPUT', async (first) => {
    const res = await graph.request<Listing>(LISTING, { first });
    expect(res.body.data?.products ?? null).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
    expect(JSON.stringify(res.body)).not.toMatch(/stack|at .*\.ts:/);
  });
});

describe('ProductDetail', () => {
  it('shows variants with price and stock, promotions and badges', async () => {
    const res = await graph.request<Detail>(DETAIL, { id: 'prod-001' });
    expect(res.body.errors).toBeUndefined();
    const product = res.body.data!.product!;
    expect(product.id).toBe('prod-001');
    expect(product.category.id).toBe(DEMO_CATEGORIES[0].id);
    expect(product.variants.length).toBeGreaterThanOrEqual(2);
    for (const v of product.variants) {
      expect(v.price).toMatchObject({ currency: 'CNY' });
      expect(v.price!.amount).toBeGreaterThan(0);
      if (v.compareAtPrice) expect(v.compareAtPrice.amount).toBeGreaterThan(v.price!.amount);
      expect(STOCK_STATUSES).toContain(v.stock!.status);
    }
    expect(product.availability).not.toBeNull();
    expect(product.promotions).not.toBeNull();
    expect(product.badges).not.toBeNull();
  });

  it('returns null for an unknown id, without an error', async () => {
    const res = await graph.request<Detail>(DETAIL, { id: 'prod-does-not-exist' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ product: null });
  });
});

describe('MobileListing', () => {
  it('serves the mobile listing with the minimum price and stock status', async () => {
    const res = await graph.request<{
      products: {
        pageInfo: { hasNextPage: boolean };
        edges: { node: { id: string; priceRange: { min: Money }; availability: { status: string } } }[];
      };
    }>(MOBILE_LISTING, { first: 20, filter: { categoryId: DEMO_CATEGORIES[0].id } });
    expect(res.body.errors).toBeUndefined();
    const edges = res.body.data!.products.edges;
    expect(edges).toHaveLength(20);
    for (const { node } of edges) {
      expect(node.priceRange.min.amount).toBeGreaterThan(0);
      expect(STOCK_STATUSES).toContain(node.availability.status);
    }
  });
});

async function collectAll(variables: Record<string, unknown>): Promise<ListingNode[]> {
  const nodes: ListingNode[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 250; pages++) {
    const page = await listing({ ...variables, after });
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}
