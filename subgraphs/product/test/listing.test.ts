import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productSubgraph } from '../src/server.ts';

let sg: TestSubgraph<Record<string, unknown>>;
beforeAll(async () => {
  sg = await startTestSubgraph(productSubgraph);
});
afterAll(() => sg?.dispose());

const LISTING = /* GraphQL */ `
  query ($filter: ProductFilter, $sort: ProductSort, $first: Int!, $after: String) {
    products(filter: $filter, sort: $sort, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          title
          shop {
            id
            name
          }
          category {
            id
          }
          variants {
            id
            sku
          }
        }
      }
    }
  }
`;
type Listing = {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; title: string; shop: { id: string; name: string }; variants: { id: string }[] } }[];
  };
};

describe('products listing', () => {
  it('pages through the whole catalog without gaps or repeats, in every sort', async () => {
    for (const sort of ['NEWEST', 'BEST_SELLING', 'TITLE']) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const res = await sg.call<Listing>(LISTING, { sort, first: 48, after });
        expect(res.errors).toBeUndefined();
        const page: Listing['products'] = res.data!.products;
        expect(page.totalCount).toBe(200);
        seen.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(200);
      expect(new Set(seen).size).toBe(200);
    }
  });

  it('filters by category, shop and search', async () => {
    const res = await sg.call<Listing>(LISTING, { filter: { categoryId: 'cat-books', shopId: 'shop-lotus', search: 'guide' }, first: 100 });
    expect(res.errors).toBeUndefined();
    for (const e of res.data!.products.edges) {
      expect(e.node.shop.id).toBe('shop-lotus');
      expect(e.node.title.toLowerCase()).toContain('guide');
    }
    expect(res.data!.products.totalCount).toBe(res.data!.products.edges.length);
  });

  it('treats LIKE wildcards in search literally', async () => {
    const res = await sg.call<Listing>(LISTING, { filter: { search: '%' }, first: 10 });
    expect(res.data!.products.totalCount).toBe(0);
  });

  it.each([0, 101, -1])('rejects first=%i with INVALID_INPUT', async (first) => {
    const res = await sg.call(LISTING, { first });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
  });

  it('rejects a forged or foreign cursor with INVALID_INPUT', async () => {
    const first = await sg.call<Listing>(LISTING, { sort: 'TITLE', first: 2 });
    const titleCursor = first.data!.products.pageInfo.endCursor;
    for (const after of ['garbage', titleCursor]) {
      const res = await sg.call(LISTING, { sort: 'NEWEST', first: 2, after });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'after' });
    }
  });

  it('rejects a well-formed cursor whose value does not fit its sort with INVALID_INPUT, not INTERNAL', async () => {
    const forge = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const [sort, after] of [
      ['NEWEST', forge(['NEWEST', 'not a date', 'prod-001'])],
      ['NEWEST', forge(['NEWEST', 42, 'prod-001'])],
      ['BEST_SELLING', forge(['BEST_SELLING', 'many', 'prod-001'])],
      ['BEST_SELLING', forge(['BEST_SELLING', 1.5, 'prod-001'])],
      ['TITLE', forge(['TITLE', 7, 'prod-001'])],
      ['TITLE', forge(['TITLE', 'A', 'x'.repeat(1000)])],
    ] as const) {
      const res = await sg.call(LISTING, { sort, first: 2, after });
      expect(res.errors?.[0]?.extensions, `${sort} ${after}`).toMatchObject({ code: 'INVALID_INPUT', field: 'after' });
      expect(res.data?.products ?? null).toBeNull();
    }
  });

  it('costs the same number of statements for 12 and 96 products', async () => {
    const count = async (first: number) => {
      const before = sg.dbHandle.statementCount();
      const res = await sg.call<Listing>(LISTING, { first });
      expect(res.data!.products.edges).toHaveLength(first);
      return sg.dbHandle.statementCount() - before;
    };
    const small = await count(12);
    const large = await count(96);
    expect(large).toBe(small);
    // page, count, shops, categories, variants
    expect(small).toBe(5);
  });

  it('resolves entity references in one statement per type', async () => {
    const reps = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Product', id: `prod-${String(i + 1).padStart(3, '0')}` }));
    const before = sg.dbHandle.statementCount();
    const res = await sg.call<{ _entities: { id: string; title: string }[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id title } } }`,
      { r: [...reps, { __typename: 'Product', id: 'nope' }] },
    );
    expect(res.data!._entities).toHaveLength(51);
    expect(res.data!._entities[50]).toBeNull();
    expect(sg.dbHandle.statementCount() - before).toBe(1);
  });
});
