import { describe, expect, it } from 'vitest';
import { fetchBudget } from '../../src/subgraph-fetch/time-budget.ts';

const settings = { defaultBudgetMs: 10_000, queryTimeoutMs: 330 };
const now = 1_000_000;

describe('fetchBudget', () => {
  it("gives a read the subgraph's own timeout while more of the deadline is left", () => {
    expect(fetchBudget({ deadline: now + 5_000 }, settings, false, now)).toEqual({ remainingMs: 5_000, subgraphTimeoutMs: 330, sentMs: 330 });
  });

  it("gives a read cut short by the deadline no timeout of the subgraph's own: running out is the deadline's doing", () => {
    expect(fetchBudget({ deadline: now + 200 }, settings, false, now)).toEqual({ remainingMs: 200, sentMs: 200 });
  });

  it('gives a mutation all that is left of the deadline', () => {
    expect(fetchBudget({ deadline: now + 5_000 }, settings, true, now)).toEqual({ remainingMs: 5_000, sentMs: 5_000 });
  });

  it('reports a spent deadline as nothing left, and uses the default outside a client request', () => {
    expect(fetchBudget({ deadline: now - 50 }, settings, false, now).remainingMs).toBe(0);
    expect(fetchBudget({}, settings, true, now).remainingMs).toBe(10_000);
  });
});
