import { DEMO_CATEGORIES, DEMO_SHOPS, demoProducts } from '@ecom/platform/demo-catalog';
import type { ProductDb } from './catalog.ts';
import { categories, products, shops, variants } from './schema.ts';

const ADJECTIVES = ['Classic', 'Compact', 'Everyday', 'Premium', 'Lightweight', 'Smart', 'Vintage', 'Eco', 'Pro', 'Cozy'];
const NOUNS: Record<string, string[]> = {
  'cat-electronics': ['Headphones', 'Speaker', 'Charger', 'Keyboard', 'Camera'],
  'cat-home': ['Kettle', 'Pan', 'Lamp', 'Blanket', 'Mug'],
  'cat-fashion': ['Jacket', 'Sneakers', 'Scarf', 'Backpack', 'Watch'],
  'cat-books': ['Cookbook', 'Novel', 'Atlas', 'Notebook', 'Guide'],
  'cat-sports': ['Yoga Mat', 'Water Bottle', 'Tent', 'Racket', 'Helmet'],
  'cat-beauty': ['Serum', 'Face Cream', 'Hair Oil', 'Lip Balm', 'Perfume'],
};
const VARIANT_NAMES = ['Standard', 'Large', 'Deluxe', 'Mini'];
const SEED_EPOCH = Date.UTC(2026, 0, 1);

/** Deterministic and idempotent: rows that exist are left as they are. */
export async function seedProduct(db: ProductDb): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(categories)
      .values(DEMO_CATEGORIES.map((c, i) => ({ ...c, position: i })))
      .onConflictDoNothing();
    await tx
      .insert(shops)
      .values([...DEMO_SHOPS])
      .onConflictDoNothing();
    const plan = demoProducts();
    const productRows = plan.map((p) => {
      const noun = NOUNS[p.categoryId]![p.index % 5]!;
      const title = `${ADJECTIVES[p.index % ADJECTIVES.length]} ${noun} ${p.index}`;
      return {
        id: p.id,
        title,
        slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        description: `${title}: a demo product of the seed catalog.`,
        imageUrl: `https://img.example.com/products/${p.id}.jpg`,
        categoryId: p.categoryId,
        shopId: p.shopId,
        createdAt: new Date(SEED_EPOCH + p.index * 3_600_000),
        unitsSold: (p.index * 7919) % 1000,
      };
    });
    await tx.insert(products).values(productRows).onConflictDoNothing();
    const variantRows = plan.flatMap((p) =>
      p.variants.map((v) => ({ id: v.id, productId: p.id, sku: v.sku, title: VARIANT_NAMES[v.index - 1]!, position: v.index })),
    );
    await tx.insert(variants).values(variantRows).onConflictDoNothing();
  });
}
