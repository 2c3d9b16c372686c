import { cartSubgraph } from '@ecom/cart/server';
import { inventorySubgraph } from '@ecom/inventory/server';
import { marketingSubgraph } from '@ecom/marketing/server';
import { orderSubgraph } from '@ecom/order/server';
import { SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { createLogger } from '@ecom/platform/logger';
import type { RequestContext } from '@ecom/platform/request-context';
import type { SubgraphConfig, SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { startTestSubgraph, testCredentials, type TestSubgraph } from '@ecom/platform/testing';
import { pricingSubgraph } from '@ecom/pricing/server';
import { productSubgraph } from '@ecom/product/server';
import { readPublishedSupergraph } from '@ecom/schema/compose';
import { DEV_JWT_SECRET } from '../../src/env.ts';
import { mintToken } from '../../src/edge/auth.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server.ts';

// Each definition is typed by its own db schema and context; the harness only boots them.
type AnySubgraph = SubgraphDefinition<Record<string, unknown>, RequestContext>;

export const SUBGRAPHS = {
  product: productSubgraph,
  pricing: pricingSubgraph,
  inventory: inventorySubgraph,
  cart: cartSubgraph,
  order: orderSubgraph,
  marketing: marketingSubgraph,
} as unknown as Record<SubgraphName, AnySubgraph>;

export interface StartGraphOptions {
  /** Settings per subgraph, as its env.ts would produce them: `{ order: { reservationTtlSeconds: 2 } }`. */
  settings?: Partial<Record<SubgraphName, Record<string, unknown>>>;
  /** Any other boot config per subgraph (faults, field budgets, onStatement, logger, ...). */
  config?: Partial<Record<SubgraphName, Partial<SubgraphConfig>>>;
  /** Where the gateway fetches a subgraph instead of the in-process one (a proxy, a stub, a dead port). */
  gatewayUrls?: Partial<Record<SubgraphName, string>>;
  /** Gateway options beyond the wiring (requestTimeoutMs, plugins, logger, ...). */
  gateway?: Partial<Omit<GatewayOptions, 'subgraphUrls'>>;
}

export interface RequestOptions {
  /** A JWT, sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface GraphResponse<T> {
  status: number;
  headers: Headers;
  body: GraphQLBody<T>;
}

export interface Graph {
  /** The gateway's /graphql endpoint. */
  url: string;
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphResponse<T>>;
  /** A JWT the gateway accepts. */
  token(sub: string, roles?: string[]): Promise<string>;
  subgraphs: Record<SubgraphName, TestSubgraph<Record<string, unknown>>>;
  /** What subgraphs use to call each other (filled in as each listens). */
  subgraphUrls: Record<SubgraphName, string>;
  /** What the gateway fetches; mutable, read on every request. */
  gatewayUrls: Record<SubgraphName, string>;
  gateway: Gateway;
  jwtSecret: string;
  /** Stops one subgraph for good (its database too), as an outage would; stop() skips it later. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole graph in process: six subgraphs on ephemeral ports (fresh databases on the Postgres
 * server when DATABASE_URL is set, in-memory PGlite otherwise; Redis when REDIS_URL is set),
 * cross-wired through one shared URL map, and the gateway on the committed supergraph.
 */
export async function startGraph(options: StartGraphOptions = {}): Promise<Graph> {
  const unwired = 'http://127.0.0.1:9/graphql';
  const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, unwired])) as Record<SubgraphName, string>;
  const gatewayUrls = { ...subgraphUrls };
  const subgraphs = {} as Record<SubgraphName, TestSubgraph<Record<string, unknown>>>;

  const started = await Promise.allSettled(
    SUBGRAPH_NAMES.map(async (name) => {
      const sg = await startTestSubgraph(SUBGRAPHS[name], {
        subgraphUrls,
        settings: options.settings?.[name] ?? {},
        ...options.config?.[name],
      });
      subgraphs[name] = sg;
      subgraphUrls[name] = sg.url;
      gatewayUrls[name] = options.gatewayUrls?.[name] ?? sg.url;
    }),
  );
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(Object.values(subgraphs).map((sg) => sg.dispose()));
    throw failed.reason;
  }

  const jwtSecret = options.gateway?.jwtSecret ?? DEV_JWT_SECRET;
  const gateway = createGateway({
    supergraphSdl: readPublishedSupergraph(),
    signer: testCredentials('gateway').signer!,
    logger: createLogger('gateway', 'silent'),
    // Functional tests must not lose fields to a loaded CI machine; the resilience tests pass the
    // production defaults (DEFAULT_RESILIENCE) explicitly.
    resilience: { queryDeadlineMs: 30_000, mutationDeadlineMs: 60_000, subgraphTimeoutMs: 30_000 },
    ...options.gateway,
    jwtSecret,
    subgraphUrls: gatewayUrls,
  });
  const { url } = await gateway.listen(0, '127.0.0.1').catch(async (err: unknown) => {
    await Promise.all(Object.values(subgraphs).map((sg) => sg.dispose()));
    throw err;
  });
  const stopped = new Set<SubgraphName>();

  return {
    url,
    subgraphs,
    subgraphUrls,
    gatewayUrls,
    gateway,
    jwtSecret,
    token: (sub, roles = []) => mintToken(jwtSecret, sub, roles),
    async request<T>(query: string, variables: Record<string, unknown> = {}, requestOptions: RequestOptions = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...requestOptions.headers };
      if (requestOptions.token !== undefined) headers.authorization = `Bearer ${requestOptions.token}`;
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const text = await res.text();
      let body: GraphQLBody<T>;
      try {
        body = JSON.parse(text) as GraphQLBody<T>;
      } catch {
        throw new Error(`gateway answered ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
      }
      return { status: res.status, headers: res.headers, body };
    },
    async stopSubgraph(name) {
      const sg = subgraphs[name];
      if (stopped.has(name) || !sg) return;
      stopped.add(name);
      await sg.dispose();
    },
    async stop() {
      await gateway.stop();
      await Promise.all(SUBGRAPH_NAMES.filter((n) => !stopped.has(n) && subgraphs[n]).map((n) => subgraphs[n].dispose()));
    },
  };
}
