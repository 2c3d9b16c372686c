import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_BUDGETS, batchBudgetMs, parseFieldBudgets, type DeadlineOptions } from '../src/deadline.ts';
import { noFaults } from '../src/fault-injection.ts';
import { rowLoader } from '../src/loaders.ts';

const options = (over: Partial<DeadlineOptions> = {}): DeadlineOptions => ({
  field: 'Product.priceRange',
  service: 'pricing',
  deadline: Date.now() + 10_000,
  budgets: { ...DEFAULT_FIELD_BUDGETS, defaultMs: 50 },
  ...over,
});

const never = () => new Promise<{ id: string }[]>(() => {});

describe('deadline-aware loaders', () => {
  it('settle every pending key with a typed TIMEOUT error when the batch misses its budget', async () => {
    const loader = rowLoader(
      (_keys: readonly string[]) => never(),
      (r) => r.id,
      { deadline: options() },
    );
    const results = await Promise.allSettled(['a', 'b', 'c'].map((k) => loader.load(k)));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason;
      expect(err.extensions).toMatchObject({ code: 'TIMEOUT', service: 'pricing', retryable: true });
      expect(err.message).toContain('Product.priceRange');
    }
  });

  it('answer normally within budget, one batch for all keys', async () => {
    let batches = 0;
    const loader = rowLoader(
      async (keys: readonly string[]) => {
        batches += 1;
        return keys.map((id) => ({ id, v: id.toUpperCase() }));
      },
      (r) => r.id,
      { deadline: options() },
    );
    expect(await Promise.all(['a', 'b'].map((k) => loader.load(k)))).toEqual([
      { id: 'a', v: 'A' },
      { id: 'b', v: 'B' },
    ]);
    expect(batches).toBe(1);
  });

  it('cap the field budget by what is left of the request deadline', () => {
    const now = Date.now();
    const o = options({ deadline: now + 100, budgets: { ...DEFAULT_FIELD_BUDGETS, defaultMs: 250, marginMs: 25 } });
    expect(batchBudgetMs(o, now)).toBe(75);
    expect(batchBudgetMs(options({ deadline: now - 5 }), now)).toBe(0);
    expect(batchBudgetMs(options({ budgets: { ...DEFAULT_FIELD_BUDGETS, perField: { 'Product.priceRange': 40 } } }), now)).toBe(40);
  });

  it('apply an injected per-field delay (fault injection) so only that field times out', async () => {
    const faults = { ...noFaults(), fieldDelaysMs: { 'Variant.compareAtPrice': 500 } };
    const slow = rowLoader(
      async (keys: readonly string[]) => keys.map((id) => ({ id })),
      (r) => r.id,
      {
        deadline: options({ field: 'Variant.compareAtPrice', faults }),
      },
    );
    const fast = rowLoader(
      async (keys: readonly string[]) => keys.map((id) => ({ id })),
      (r) => r.id,
      {
        deadline: options({ field: 'Variant.price', faults }),
      },
    );
    await expect(slow.load('x')).rejects.toMatchObject({ extensions: { code: 'TIMEOUT' } });
    await expect(fast.load('x')).resolves.toEqual({ id: 'x' });
  });

  it('parse per-field budgets, ignoring malformed parts', () => {
    expect(parseFieldBudgets('Product.priceRange=200, Variant.stock=150,bad,x=-1,y=abc')).toEqual({
      'Product.priceRange': 200,
      'Variant.stock': 150,
    });
  });
});
