import { invalidArgument } from '@ecom/platform/errors';
import { countProducts, findProductPage, sortValue, type Position, type ProductDb, type ProductFilter, type ProductSort } from '../db/catalog.ts';
import type { ProductRow } from '../db/schema.ts';

export const MAX_PAGE_SIZE = 100;
const MAX_SEARCH_LENGTH = 100;

export interface ListingArgs {
  filter?: ProductFilter | null;
  sort?: ProductSort | null;
  first: number;
  after?: string | null;
}

export interface ProductPage {
  edges: { cursor: string; node: ProductRow }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted only when asked for, so a page without totalCount costs one statement. */
  totalCount: () => Promise<number>;
}

/** Cursors carry the sort they were made for, so one cannot be replayed against another order. */
function encodeCursor(sort: ProductSort, position: Position): string {
  return Buffer.from(JSON.stringify([sort, position.value, position.id])).toString('base64url');
}

function decodeCursor(sort: ProductSort, cursor: string): Position {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 3 && decoded[0] === sort && typeof decoded[2] === 'string' && decoded[2].length <= 128) {
      const value: unknown = decoded[1];
      // The value goes into a keyset comparison against the sort's column: it must be of that column's type.
      if (fitsSort(sort, value)) return { value, id: decoded[2] };
    }
  } catch {
    // fall through to the typed error
  }
  throw invalidArgument('The cursor is not valid for this listing. Start again without `after`.', 'after');
}

function fitsSort(sort: ProductSort, value: unknown): value is string | number {
  if (sort === 'BEST_SELLING') return Number.isSafeInteger(value);
  if (typeof value !== 'string' || value.length > 512) return false;
  return sort !== 'NEWEST' || (ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export async function listProducts(db: ProductDb, args: ListingArgs): Promise<ProductPage> {
  const sort = args.sort ?? 'NEWEST';
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw invalidArgument(`first must be between 1 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  const filter = args.filter ?? {};
  if (filter.search && filter.search.length > MAX_SEARCH_LENGTH) {
    throw invalidArgument(`search may be at most ${MAX_SEARCH_LENGTH} characters.`, 'filter.search');
  }
  const after = args.after ? decodeCursor(sort, args.after) : undefined;
  const rows = await findProductPage(db, filter, sort, args.first + 1, after);
  const page = rows.slice(0, args.first);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(sort, { value: sortValue(sort, node), id: node.id }) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => countProducts(db, filter),
  };
}
