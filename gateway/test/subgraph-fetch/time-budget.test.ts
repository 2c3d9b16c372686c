import { describe, expect, it } from 'vitest';
import { fetchBudgetMs } from '../../src/subgraph-fetch/time-budget.ts';

const settings = { defaultBudgetMs: 10_000, queryTimeoutMs: 330 };
const now = 1_000_000;

describe('fetchBudgetMs', () => {
  it('gives a read what is left of the deadline, capped by the subgraph timeout', () => {
    expect(fetchBudgetMs({ deadline: now + 200 }, settings, false, now)).toBe(200);
    expect(fetchBudgetMs({ deadline: now + 5_000 }, settings, false, now)).toBe(330);
  });

  it('gives a mutation all that is left of the deadline', () => {
    expect(fetchBudgetMs({ deadline: now + 5_000 }, settings, true, now)).toBe(5_000);
  });

  it('never sends a budget below 1 ms, and uses the default outside a client request', () => {
    expect(fetchBudgetMs({ deadline: now - 50 }, settings, false, now)).toBe(1);
    expect(fetchBudgetMs({}, settings, true, now)).toBe(10_000);
  });
});
