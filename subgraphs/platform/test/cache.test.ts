import { describe, expect, it } from 'vitest';
import { createCache } from '../src/cache.ts';

describe('the in-process cache (no REDIS_URL)', () => {
  it('keeps at most maxEntries: the least recently used go first', async () => {
    const cache = createCache(undefined, undefined, 'test:', { maxEntries: 100 });
    try {
      await cache.setMany(
        Array.from({ length: 1_000 }, (_, i) => ({ key: `k${i}`, value: String(i) })),
        60_000,
      );
      const values = await cache.getMany(Array.from({ length: 1_000 }, (_, i) => `k${i}`));
      expect(values.slice(0, 900).every((v) => v === undefined)).toBe(true);
      expect(values.slice(900)).toEqual(Array.from({ length: 100 }, (_, i) => String(900 + i)));
    } finally {
      await cache.close();
    }
  });

  it('forgets an entry once its TTL has passed', async () => {
    const cache = createCache(undefined);
    try {
      await cache.set('short', 'v', 50);
      await cache.set('long', 'v', 60_000);
      expect(await cache.get('short')).toBe('v');
      await new Promise((r) => setTimeout(r, 200));
      expect(await cache.getMany(['short', 'long'])).toEqual([undefined, 'v']);
    } finally {
      await cache.close();
    }
  });
});
