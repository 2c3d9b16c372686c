import { and, asc, count, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@ecom/platform/db';
import { anyOf, preparedPer } from '@ecom/platform/prepared-query';
import * as schema from './schema.ts';
import { categories, products, shops, variants } from './schema.ts';

export type ProductDb = Db<typeof schema>;

export type ProductSort = 'NEWEST' | 'BEST_SELLING' | 'TITLE';

export interface ProductFilter {
  categoryId?: string | null;
  shopId?: string | null;
  search?: string | null;
}

/** Keyset position: the sort value and id of the last row of the previous page. */
export interface Position {
  value: string | number;
  id: string;
}

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filterClause(filter: ProductFilter): SQL | undefined {
  return and(
    filter.categoryId ? eq(products.categoryId, filter.categoryId) : undefined,
    filter.shopId ? eq(products.shopId, filter.shopId) : undefined,
    filter.search ? ilike(products.title, likePattern(filter.search)) : undefined,
  );
}

const sortColumns = {
  NEWEST: { column: products.createdAt, direction: 'desc' },
  BEST_SELLING: { column: products.unitsSold, direction: 'desc' },
  TITLE: { column: products.title, direction: 'asc' },
} as const;

/** The sort value a cursor carries for a row. */
export function sortValue(sort: ProductSort, row: schema.ProductRow): string | number {
  if (sort === 'NEWEST') return row.createdAt.toISOString();
  if (sort === 'BEST_SELLING') return row.unitsSold;
  return row.title;
}

export async function findProductPage(db: ProductDb, filter: ProductFilter, sort: ProductSort, limit: number, after?: Position) {
  const { column, direction } = sortColumns[sort];
  let keyset: SQL | undefined;
  if (after) {
    // Raw parameters bypass drizzle's column mapping, so the timestamp is cast explicitly.
    const value = sort === 'NEWEST' ? sql`${String(after.value)}::timestamptz` : after.value;
    // Row comparison keeps the (value, id) order total, so pages never skip or repeat a product.
    keyset =
      direction === 'desc' ? sql`(${column}, ${products.id}) < (${value}, ${after.id})` : sql`(${column}, ${products.id}) > (${value}, ${after.id})`;
  }
  const order = direction === 'desc' ? [desc(column), desc(products.id)] : [asc(column), asc(products.id)];
  return db
    .select()
    .from(products)
    .where(and(filterClause(filter), keyset))
    .orderBy(...order)
    .limit(limit);
}

export async function countProducts(db: ProductDb, filter: ProductFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(products).where(filterClause(filter));
  return row?.n ?? 0;
}

const productsWithIds = preparedPer((db: ProductDb) =>
  db.select().from(products).where(anyOf(products.id, 'ids')).prepare('product_products_by_ids'),
);
export const productsByIds = (db: ProductDb, ids: readonly string[]) => productsWithIds(db).execute({ ids });

const variantsWithIds = preparedPer((db: ProductDb) =>
  db.select().from(variants).where(anyOf(variants.id, 'ids')).prepare('product_variants_by_ids'),
);
export const variantsByIds = (db: ProductDb, ids: readonly string[]) => variantsWithIds(db).execute({ ids });

const variantsOfProducts = preparedPer((db: ProductDb) =>
  db.select().from(variants).where(anyOf(variants.productId, 'ids')).orderBy(asc(variants.position)).prepare('product_variants_by_product_ids'),
);
export const variantsByProductIds = (db: ProductDb, ids: readonly string[]) => variantsOfProducts(db).execute({ ids });

const categoriesWithIds = preparedPer((db: ProductDb) =>
  db.select().from(categories).where(anyOf(categories.id, 'ids')).prepare('product_categories_by_ids'),
);
export const categoriesByIds = (db: ProductDb, ids: readonly string[]) => categoriesWithIds(db).execute({ ids });

const shopsWithIds = preparedPer((db: ProductDb) => db.select().from(shops).where(anyOf(shops.id, 'ids')).prepare('product_shops_by_ids'));
export const shopsByIds = (db: ProductDb, ids: readonly string[]) => shopsWithIds(db).execute({ ids });
export const allCategories = (db: ProductDb) => db.select().from(categories).orderBy(asc(categories.position));
export const allShops = (db: ProductDb) => db.select().from(shops).orderBy(asc(shops.id));
