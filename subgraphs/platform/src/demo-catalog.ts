/**
 * The shape of the deterministic demo seed, shared so that each subgraph seeds its own share
 * (prices, stock, badges) for the same ids. Only ids and positions live here; each subgraph derives
 * its own values from `index`. Ids are stable across runs and machines.
 */
export const DEMO_PRODUCT_COUNT = 200;

export const DEMO_CATEGORIES = [
  { id: 'cat-electronics', name: 'Electronics', slug: 'electronics' },
  { id: 'cat-home', name: 'Home & Kitchen', slug: 'home-kitchen' },
  { id: 'cat-fashion', name: 'Fashion', slug: 'fashion' },
  { id: 'cat-books', name: 'Books', slug: 'books' },
  { id: 'cat-sports', name: 'Sports & Outdoors', slug: 'sports-outdoors' },
  { id: 'cat-beauty', name: 'Beauty', slug: 'beauty' },
] as const;

export const DEMO_SHOPS = [
  { id: 'shop-northwind', name: 'Northwind Electronics' },
  { id: 'shop-lotus', name: 'Lotus Home' },
  { id: 'shop-peak', name: 'Peak Outfitters' },
] as const;

export interface DemoProduct {
  index: number;
  id: string;
  categoryId: string;
  shopId: string;
  variants: { id: string; index: number; sku: string }[];
}

const pad = (n: number) => String(n).padStart(3, '0');

export function demoProducts(): DemoProduct[] {
  const out: DemoProduct[] = [];
  for (let i = 1; i <= DEMO_PRODUCT_COUNT; i++) {
    const variantCount = 2 + (i % 3);
    out.push({
      index: i,
      id: `prod-${pad(i)}`,
      categoryId: DEMO_CATEGORIES[(i - 1) % DEMO_CATEGORIES.length]!.id,
      shopId: DEMO_SHOPS[Math.floor((i - 1) / 2) % DEMO_SHOPS.length]!.id,
      variants: Array.from({ length: variantCount }, (_, j) => ({
        id: `var-${pad(i)}-${j + 1}`,
        index: j + 1,
        sku: `SKU-${pad(i)}-${j + 1}`,
      })),
    });
  }
  return out;
}
