import { noFaults } from '@ecom/platform/fault-injection';
import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySubgraph } from '../src/server.ts';

const faults = noFaults();
let sg: TestSubgraph<Record<string, unknown>>;
beforeAll(async () => {
  sg = await startTestSubgraph(inventorySubgraph, { faults, fieldBudgets: { defaultMs: 500, perField: {}, marginMs: 25 } });
});
afterAll(() => sg?.dispose());

const QUERY = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Product {
        id
        availability {
          status
          available
        }
      }
      ... on Variant {
        id
        stock {
          available
        }
      }
    }
  }
`;
const reps = [
  { __typename: 'Product', id: 'prod-001' },
  { __typename: 'Product', id: 'prod-002' },
  { __typename: 'Variant', id: 'var-001-1' },
  { __typename: 'Variant', id: 'var-002-1' },
];
type Entities = { _entities: ({ id: string; availability?: unknown; stock?: unknown } | null)[] };

describe('per-field deadlines', () => {
  it('a slow batch nulls only the field it feeds, with one typed TIMEOUT error per value and its path', async () => {
    faults.fieldDelaysMs = { 'Variant.stock': 3_000 };
    const res = await sg.call<Entities>(QUERY, { reps }, { deadlineMs: 2_000 });
    faults.fieldDelaysMs = {};
    const [p1, p2, v1, v2] = res.data!._entities;
    expect(p1!.availability).not.toBeNull();
    expect(p2!.availability).not.toBeNull();
    expect(v1).toMatchObject({ id: 'var-001-1', stock: null });
    expect(v2).toMatchObject({ id: 'var-002-1', stock: null });
    expect(res.errors).toHaveLength(2);
    for (const e of res.errors!) {
      expect(e.extensions).toMatchObject({ code: 'TIMEOUT', service: 'inventory', retryable: true });
      expect(e.path?.at(-1)).toBe('stock');
    }
  });

  it('caps field budgets by the deadline the gateway sends', async () => {
    // 150 ms of injected slowness fits the field's own budget but not a 100 ms request deadline.
    faults.fieldDelaysMs = { 'Product.availability': 150 };
    const relaxed = await sg.call<Entities>(QUERY, { reps }, { deadlineMs: 5_000 });
    const tight = await sg.call<Entities>(QUERY, { reps }, { deadlineMs: 100 });
    faults.fieldDelaysMs = {};
    expect(relaxed.errors).toBeUndefined();
    expect(relaxed.data!._entities[0]!.availability).not.toBeNull();
    expect(tight.data!._entities[0]!.availability).toBeNull();
    expect(tight.errors?.[0]?.extensions).toMatchObject({ code: 'TIMEOUT', service: 'inventory' });
  });

  it('answers completely once the slowness is gone', async () => {
    const res = await sg.call<Entities>(QUERY, { reps });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.every((e) => e && ('availability' in e ? e.availability : e.stock))).toBe(true);
  });
});
