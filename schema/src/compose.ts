import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { sdl as cart } from '@ecom/cart/sdl';
import { sdl as inventory } from '@ecom/inventory/sdl';
import { sdl as marketing } from '@ecom/marketing/sdl';
import { sdl as order } from '@ecom/order/sdl';
import { SUBGRAPH_PORTS, type SubgraphName } from '@ecom/platform/env';
import { sdl as pricing } from '@ecom/pricing/sdl';
import { sdl as product } from '@ecom/product/sdl';
import { parse, type GraphQLSchema } from 'graphql';

export const supergraphFile = new URL('../supergraph.graphql', import.meta.url);

/** The working SDL of every subgraph, as its server builds it. */
export const workingSubgraphs: Record<SubgraphName, string> = { product, pricing, inventory, cart, order, marketing };

export interface ComposeResult {
  supergraphSdl?: string;
  errors: { message: string; subgraphs: string[] }[];
}

/** Composition in process with @apollo/composition (what `rover supergraph compose` runs). */
export function compose(subgraphs: Record<string, string> = workingSubgraphs): ComposeResult {
  const result = composeServices(
    Object.entries(subgraphs).map(([name, sdl]) => ({
      name,
      typeDefs: parse(sdl),
      url: `http://127.0.0.1:${SUBGRAPH_PORTS[name as SubgraphName] ?? 4000}/graphql`,
    })),
  );
  if (result.errors) {
    return {
      errors: result.errors.map((e) => ({
        message: e.message,
        subgraphs: [...new Set((e.extensions?.originalError as { nodes?: unknown } | undefined) ? [] : [])],
      })),
    };
  }
  return { supergraphSdl: result.supergraphSdl, errors: [] };
}

export function readPublishedSupergraph(): string {
  return readFileSync(supergraphFile, 'utf8');
}

/** The schema clients see: the supergraph without @inaccessible elements. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
