/**
 * The six subgraphs by name. Its own module (not env.ts) because everything names a subgraph —
 * deadlines, the sibling client, errors — while env.ts itself depends on some of those.
 */
export const SUBGRAPH_NAMES = ['product', 'pricing', 'inventory', 'cart', 'order', 'marketing'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
