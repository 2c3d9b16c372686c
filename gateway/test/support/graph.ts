import { cartSubgraph } from '@ecom/cart/server';
import { inventorySubgraph } from '@ecom/inventory/server';
import { marketingSubgraph } from '@ecom/marketing/server';
import { orderSubgraph } from '@ecom/order/server';
import { SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { createLogger } from '@ecom/platform/logger';
import { startSubgraphs, testCredentials, type AnyTestSubgraph, type StartSubgraphsOptions } from '@ecom/platform/testing';
import { pricingSubgraph } from '@ecom/pricing/server';
import { productSubgraph } from '@ecom/product/server';
import { readPublishedSupergraph } from '@ecom/schema/compose';
import { DEV_JWT_SECRET } from '../../src/env.ts';
import { mintToken } from '../../src/edge/auth.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server.ts';
import type { AdmissionSettings } from '../../src/edge/admission-control.ts';

/** Admission control that never refuses what a functional test sends (still on the request path). */
export const GENEROUS_ADMISSION: Partial<AdmissionSettings> = {
  limit: { initial: 1_024, min: 1_024, max: 1_024, tolerance: 2, baselineWindowMs: 30_000 },
  principalShare: 1,
};

export const SUBGRAPHS = {
  product: productSubgraph,
  pricing: pricingSubgraph,
  inventory: inventorySubgraph,
  cart: cartSubgraph,
  order: orderSubgraph,
  marketing: marketingSubgraph,
};

export interface StartGraphOptions extends StartSubgraphsOptions {
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
  subgraphs: Record<SubgraphName, AnyTestSubgraph>;
  /** What subgraphs use to call each other (filled in as each listens). */
  subgraphUrls: Record<SubgraphName, string>;
  /** What the gateway fetches; mutable, read on every request. */
  gatewayUrls: Record<SubgraphName, string>;
  gateway: Gateway;
  jwtSecret: string;
  /** Stops one subgraph for good (its database too), as an outage would; stopping it again does nothing. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole graph in process: six subgraphs on ephemeral ports (fresh databases on the Postgres
 * server when DATABASE_URL is set, in-memory PGlite otherwise; Redis when REDIS_URL is set),
 * cross-wired through one shared URL map, and the gateway on the committed supergraph.
 */
export async function startGraph(options: StartGraphOptions = {}): Promise<Graph> {
  const { subgraphs, urls: subgraphUrls, dispose } = await startSubgraphs(SUBGRAPHS, options);
  const gatewayUrls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, options.gatewayUrls?.[n] ?? subgraphUrls[n]])) as Record<SubgraphName, string>;

  const jwtSecret = options.gateway?.jwtSecret ?? DEV_JWT_SECRET;
  const gateway = createGateway({
    supergraphSdl: readPublishedSupergraph(),
    signer: testCredentials('gateway').signer!,
    logger: createLogger('gateway', 'silent'),
    // Functional tests must not lose fields to a loaded CI machine; the resilience tests pass the
    // production defaults (DEFAULT_RESILIENCE) explicitly.
    resilience: { queryDeadlineMs: 30_000, mutationDeadlineMs: 60_000, subgraphTimeoutMs: 30_000 },
    // Nor be refused by it: race tests send many requests of one user at once. The admission tests
    // pass DEFAULT_ADMISSION.
    admission: GENEROUS_ADMISSION,
    ...options.gateway,
    jwtSecret,
    subgraphUrls: gatewayUrls,
  });
  const { url } = await gateway.listen(0, '127.0.0.1').catch(async (err: unknown) => {
    await dispose();
    throw err;
  });

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
    stopSubgraph: (name) => subgraphs[name].dispose(),
    async stop() {
      await gateway.stop();
      await dispose();
    },
  };
}
