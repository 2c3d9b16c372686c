import { index, integer, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { inboxTable } from '@ecom/platform/events/inbox';

export const product = pgSchema('product');

export const categories = product.table('categories', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  position: integer('position').notNull(),
});

export const shops = product.table('shops', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const products = product.table(
  'products',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    slug: text('slug').notNull().unique(),
    description: text('description').notNull(),
    imageUrl: text('image_url').notNull(),
    categoryId: text('category_id')
      .notNull()
      .references(() => categories.id),
    shopId: text('shop_id')
      .notNull()
      .references(() => shops.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Units sold, the BEST_SELLING sort key; seeded (see README, "Left for later"). */
    unitsSold: integer('units_sold').notNull().default(0),
  },
  (t) => [
    index('products_category_idx').on(t.categoryId),
    index('products_shop_idx').on(t.shopId),
    index('products_created_idx').on(t.createdAt, t.id),
    index('products_sold_idx').on(t.unitsSold, t.id),
    index('products_title_idx').on(t.title, t.id),
  ],
);

export const variants = product.table(
  'variants',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    sku: text('sku').notNull().unique(),
    title: text('title').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [index('variants_product_idx').on(t.productId)],
);

/** Events from other subgraphs this one has applied (order.paid, order.cancelled), each once. */
export const inbox = inboxTable(product);

/**
 * Units each paid order added to a product's unitsSold, so a cancellation after payment takes back
 * exactly what its payment added (and nothing when the payment was never counted).
 */
export const sales = product.table(
  'sales',
  {
    orderId: text('order_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** Set when the order was cancelled after payment and its units were taken back. */
    reversedAt: timestamp('reversed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);

export type CategoryRow = typeof categories.$inferSelect;
export type ShopRow = typeof shops.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;
