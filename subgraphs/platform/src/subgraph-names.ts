/**
 * The six subgraphs by name. Its own module (not env.ts) because everything names a subgraph —
 * deadlines, the sibling client, errors — while env.ts itself depends on some of those.
 */
export const SUBGRAPH_NAMES = ['product', 'pricing', 'inventory', 'cart', 'order', 'marketing'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Whoever signs requests to subgraphs: the gateway, and the subgraphs that call siblings. */
export const CALLER_NAMES = ['gateway', 'cart', 'order'] as const;
export type CallerName = (typeof CALLER_NAMES)[number];

/**
 * The callers each subgraph accepts: the gateway, and the siblings that call it (order's saga:
 * product, cart, inventory; cart's quote: pricing, marketing, inventory). A subgraph holds the keys
 * of these callers only, so a compromised subgraph can pose as no caller that never calls it.
 */
export const CALLERS_OF: Record<SubgraphName, readonly CallerName[]> = {
  product: ['gateway', 'order'],
  pricing: ['gateway', 'cart'],
  inventory: ['gateway', 'cart', 'order'],
  cart: ['gateway', 'order'],
  order: ['gateway'],
  marketing: ['gateway', 'cart'],
};
