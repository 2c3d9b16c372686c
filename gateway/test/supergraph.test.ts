import { compose, readPublishedSupergraph } from '@ecom/schema/compose';
import { describe, expect, it } from 'vitest';

describe('schema/supergraph.graphql', () => {
  it('is what the subgraph SDLs compose to today (run `npm run compose` when this fails)', () => {
    const fresh = compose();
    expect(fresh.errors).toEqual([]);
    expect(readPublishedSupergraph()).toBe(fresh.supergraphSdl);
  });
});
