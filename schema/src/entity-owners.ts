/**
 * The subgraph that owns each entity: the one that stores it and declares it with fields beyond
 * its key (other subgraphs add fields to it or hold a `resolvable: false` reference).
 * Every entity in the graph must be listed here; the check fails for one that is not, so a new
 * entity's owner is decided in review, once, instead of being guessed from the SDL.
 *
 * Why it matters: a field another subgraph adds to an entity is served by a second service.
 * When that service is slow or down, the owner's data must still reach the client, so such
 * fields are nullable (the contract's partial-success rule); the owner's fields may be non-null.
 */
export const ENTITY_OWNERS: Record<string, string> = {
  Product: 'product',
  Variant: 'product',
  Category: 'product',
  Shop: 'product',
  Cart: 'cart',
  Order: 'order',
  Promotion: 'marketing',
};
