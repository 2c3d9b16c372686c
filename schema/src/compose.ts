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
import { getLocation, GraphQLError, parse, Source, type GraphQLSchema } from 'graphql';

export const supergraphFile = new URL('../supergraph.graphql', import.meta.url);

/** The working SDL of every subgraph, as its server builds it. */
export const workingSubgraphs: Record<SubgraphName, string> = { product, pricing, inventory, cart, order, marketing };

export interface CompositionErrorLocation {
  subgraph: string;
  line: number;
  column: number;
}

export interface ComposeResult {
  supergraphSdl?: string;
  errors: { message: string; code?: string; subgraphs: string[]; locations: CompositionErrorLocation[] }[];
}

/** Composition in process with @apollo/composition (what `rover supergraph compose` runs). */
export function compose(subgraphs: Record<string, string> = workingSubgraphs): ComposeResult {
  let services;
  try {
    // The source name carries the subgraph into every error node, so errors can name it.
    services = Object.entries(subgraphs).map(([name, sdl]) => ({
      name,
      typeDefs: parse(new Source(sdl, name)),
      url: `http://127.0.0.1:${SUBGRAPH_PORTS[name as SubgraphName] ?? 4000}/graphql`,
    }));
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    return { errors: [describeError(e, Object.keys(subgraphs))] };
  }
  const result = composeServices(services);
  if (result.errors) return { errors: result.errors.map((e) => describeError(e, Object.keys(subgraphs))) };
  return { supergraphSdl: result.supergraphSdl, errors: [] };
}

function describeError(e: GraphQLError, names: string[]): ComposeResult['errors'][number] {
  const locations: CompositionErrorLocation[] = [];
  for (const node of e.nodes ?? []) {
    const loc = node.loc;
    if (!loc) continue;
    const { line, column } = getLocation(loc.source, loc.start);
    locations.push({ subgraph: loc.source.name, line, column });
  }
  if (locations.length === 0 && e.source) {
    for (const l of e.locations ?? []) locations.push({ subgraph: e.source.name, line: l.line, column: l.column });
  }
  // Some errors carry no AST nodes; their message still names the subgraphs ("[cart] ..." or subgraph "cart").
  const named = names.filter((n) => e.message.includes(`[${n}]`) || e.message.includes(`"${n}"`));
  const code = e.extensions?.code;
  return {
    message: e.message,
    ...(typeof code === 'string' ? { code } : {}),
    subgraphs: [...new Set([...locations.map((l) => l.subgraph), ...named])].sort(),
    locations,
  };
}

export function readPublishedSupergraph(): string {
  return readFileSync(supergraphFile, 'utf8');
}

/** The schema clients see: the supergraph without @inaccessible elements. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
