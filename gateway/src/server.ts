import './apollo-telemetry-off.ts';
import { ApolloGateway, type SupergraphSdlHook } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { createHttpHost } from '@ecom/platform/http-host';
import type { Signer } from '@ecom/platform/gateway-credential';
import type { Logger } from '@ecom/platform/logger';
import { HEADERS, type RequestContext } from '@ecom/platform/request-context';
import { operationSpan } from '@ecom/platform/operation-span';
import { createAuthenticator, type TokenClaims } from './edge/auth.ts';
import { formatError, requestIdOnFaults, unresolvedOperation } from './plugins/error-format.ts';
import { cachedProbe, probeSubgraphs } from './edge/readiness.ts';
import { requestIdFrom } from './edge/request-id.ts';
import { createCache, type Cache } from '@ecom/platform/cache';
import { foldPartialErrors } from './plugins/partial-errors.ts';
import { overrunAsOverloaded } from './plugins/overrun.ts';
import { requestDeadline } from './plugins/request-deadline.ts';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './subgraph-fetch/resilience.ts';
import { SignedDataSource } from './subgraph-fetch/signed-data-source.ts';
import { StaleValues } from './subgraph-fetch/stale-values.ts';
import { admitOperation } from './edge/operation-admission.ts';
import { persistedQueryCache } from './plugins/apq-cache.ts';
import { createCors } from './edge/cors.ts';
import { createAdmissionControl, DEFAULT_ADMISSION, type AdmissionSettings } from './edge/admission-control.ts';
import { createLaneClassifier } from './edge/lane.ts';
import {
  admitLoadStep,
  authenticateStep,
  executeStep,
  rateLimitAppStep,
  rateLimitStep,
  readOperation,
  runEdgePipeline,
  type EdgeSteps,
} from './edge/pipeline.ts';
import { DEFAULT_QUERY_LIMITS, queryLimits, type QueryLimits } from './plugins/query-limits.ts';
import { createRateLimiter, type RateLimiter, type RateLimitSettings } from './edge/rate-limit.ts';
import type { OperationRegistry, Safelist } from './edge/safelist.ts';
import { hideSuggestions } from './plugins/suggestions.ts';
import { refuse } from './edge/refusal.ts';
import { createExplorer, type ExplorerOptions } from './edge/explorer.ts';
import { createRequestLedger, type RequestLedger } from './edge/request-ledger.ts';
import { recordRequestOutcome } from './plugins/request-outcome.ts';
import { checkoutRateLimit } from './plugins/checkout-rate-limit.ts';
import { withFetchMetrics } from './subgraph-fetch/fetch-metrics.ts';
import { createSubgraphTransport, DEFAULT_TRANSPORT, type SubgraphTransport, type TransportSettings } from './subgraph-fetch/subgraph-transport.ts';

export interface GatewayOptions {
  /** The supergraph, or a source that keeps it current (supergraph-source.ts: reload on file change). */
  supergraphSdl: string | SupergraphSdlHook;
  /**
   * Where each subgraph is served, by subgraph name (the `SUBGRAPH_URL_<NAME>` overrides). Read on
   * every request, so tests may fill it in or repoint it after the gateway is built. A subgraph
   * missing here is fetched at the URL the supergraph names.
   */
  subgraphUrls: Partial<Record<string, string>>;
  /** The gateway's key every subgraph request is signed with (GATEWAY_SIGNING_KEYS). */
  signer: Signer;
  jwtSecret: string;
  logger: Logger;
  /** The whole budget of one client request; what is left of it travels to every subgraph. */
  requestTimeoutMs?: number;
  /** Deadlines, per-subgraph timeouts and circuit breakers; production defaults when omitted. */
  resilience?: Partial<ResilienceSettings>;
  /** Redis or in-process; holds last-known display values for degraded answers. */
  cache?: Cache;
  plugins?: ApolloServerPlugin<RequestContext>[];
  // --- the edge (README "Edge") ---
  /** RS256 client tokens are verified against this JWKS, besides HS256 with jwtSecret. */
  jwksUrl?: string;
  /** `iss` / `aud` every client token must carry, when set. */
  tokenClaims?: TokenClaims;
  /** Rate-limit counters in this Redis (shared by every instance); in memory without it. */
  redisUrl?: string;
  /** Depth, aliases, directives, tokens, query bytes, string literals, cost; DEFAULT_QUERY_LIMITS for what is not given. */
  queryLimits?: Partial<QueryLimits>;
  /** Per principal and per app; no rate limiting when omitted. */
  rateLimit?: RateLimitSettings;
  /** Safelist mode: only these registered operations run. */
  safelist?: Safelist;
  /**
   * The registered operations (schema/operations/manifest.json), which tell which app an operation
   * belongs to: an app's rate budget is drawn only by its own. The safelist's when omitted; with
   * neither, no app budget is ever drawn.
   */
  registeredOperations?: OperationRegistry;
  /** Origins browsers may call from (`*` for any); none when omitted. */
  corsOrigins?: string[];
  /** Schema introspection (turn off in production); on when omitted. */
  introspection?: boolean;
  /** The offline explorer at `GET /graphql` for browsers (edge/explorer.ts); off when omitted. */
  explorer?: ExplorerOptions;
  /** How long one fan-out of subgraph probes answers `/readyz` (READINESS_CACHE_MS when omitted). */
  readinessCacheMs?: number;
  /** The adaptive concurrency limit, its queue and lanes (edge/admission-control.ts); DEFAULT_ADMISSION for what is not given. */
  admission?: Partial<AdmissionSettings>;
  /** Connections per subgraph and what counts as event-loop lag (subgraph-fetch/subgraph-transport.ts). */
  transport?: Partial<TransportSettings>;
}

export interface RunningGateway {
  url: string;
  port: number;
}

export interface Gateway {
  listen(port: number, host?: string): Promise<RunningGateway>;
  /** Stops accepting, lets in-flight requests finish, then stops the gateway. */
  stop(): Promise<void>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** A pure factory: everything comes in as arguments, so a test can build the gateway in process. */
export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger;
  const cache = options.cache ?? createCache(undefined);
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.queryLimits };
  const rateLimiter = options.rateLimit ? createRateLimiter(options.rateLimit, options.redisUrl, logger) : undefined;
  const cors = createCors(options.corsOrigins ?? []);
  const explorer = options.explorer ? createExplorer(options.explorer) : undefined;
  const subgraphs = subgraphDirectory(options.subgraphUrls);
  const ledger = createRequestLedger(logger);
  const transport = createSubgraphTransport({ ...DEFAULT_TRANSPORT, ...options.transport });
  const apollo = createApollo(options, transport, subgraphs, cache, limits, ledger, rateLimiter);
  let loaded = false;
  const started = apollo.start().then(() => {
    loaded = true;
  });
  // Surface a broken supergraph on listen, not as an unhandled rejection.
  started.catch(() => {});

  const steps: EdgeSteps = {
    authenticate: authenticateStep(createAuthenticator(options.jwtSecret, options.jwksUrl, options.tokenClaims)),
    rateLimit: rateLimitStep(rateLimiter),
    readOperation,
    admit: (op) => admitOperation(op, { text: limits, safelist: options.safelist }),
    rateLimitApp: rateLimitAppStep(rateLimiter, options.registeredOperations ?? options.safelist),
    admitLoad: admitLoadStep(
      createAdmissionControl({ ...DEFAULT_ADMISSION, ...options.admission }),
      createLaneClassifier(options.registeredOperations ?? options.safelist),
    ),
    execute: executeStep(apollo, { requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, logger }),
  };
  const observedSteps = ledger.observeSteps(steps);
  const probe = cachedProbe(() => probeSubgraphs(subgraphs.all()), options.readinessCacheMs);
  const http = createHttpHost({
    service: 'gateway',
    logger,
    intercept(req, res) {
      res.setHeader(HEADERS.requestId, requestIdFrom(req.headers[HEADERS.requestId]));
      return cors(req, res);
    },
    async readiness() {
      if (!loaded) return { ready: false, detail: { supergraph: 'not loaded', down: [] } };
      const { ready, down } = await probe();
      return { ready, detail: { down } };
    },
    routes: explorer && ((req, res, url) => explorer(req, res, url)),
    async graphql(req, res, url) {
      // Set by intercept, first thing on every request.
      const requestId = res.getHeader(HEADERS.requestId) as string;
      ledger.begin(req, res, requestId);
      const outcome = await runEdgePipeline(observedSteps, req, url, requestId);
      if ('refusal' in outcome) return refuse(res, ledger.refused(requestId, outcome.refusal));
      return outcome.response;
    },
  });

  return {
    async listen(port, host) {
      await started;
      await rateLimiter?.ready();
      const actual = await http.listen(port, host);
      const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return { url: `http://${shownHost}:${actual}/graphql`, port: actual };
    },
    async stop() {
      await http.stop();
      await apollo.stop();
      await transport.close();
      rateLimiter?.close();
    },
  };
}

/**
 * Where each subgraph is: the URL given (read on every request, so a test may repoint it), else the
 * one the supergraph names (learnt as the gateway builds each data source).
 */
function subgraphDirectory(given: Partial<Record<string, string>>) {
  const fromSupergraph: Record<string, string> = {};
  const urlOf = (name: string) => given[name] ?? fromSupergraph[name]!;
  return {
    urlOf,
    learn(name: string, url: string) {
      fromSupergraph[name] = url;
    },
    all: () => Object.fromEntries(Object.keys(fromSupergraph).map((name) => [name, urlOf(name)])),
  };
}

/** Apollo Server over Apollo Gateway, with our data source per subgraph and our plugins. */
function createApollo(
  options: GatewayOptions,
  transport: SubgraphTransport,
  subgraphs: ReturnType<typeof subgraphDirectory>,
  cache: Cache,
  limits: QueryLimits,
  ledger: RequestLedger,
  rateLimiter: RateLimiter | undefined,
): ApolloServer<RequestContext> {
  const logger = options.logger;
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const stale = new StaleValues(cache);
  const gateway = new ApolloGateway({
    // Either form: ApolloGateway tells a string from a function at runtime; its config type is a union per form.
    supergraphSdl: options.supergraphSdl as string,
    logger: logger.child({ component: 'apollo-gateway' }),
    // The data source reads each fetch's document to name the fields a failed fetch leaves null.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    buildService: ({ name, url }) => {
      subgraphs.learn(name, url!);
      const source = new SignedDataSource({
        name,
        url: () => subgraphs.urlOf(name),
        signer: options.signer,
        logger,
        defaultBudgetMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        queryTimeoutMs: resilience.perSubgraphTimeoutMs[name] ?? resilience.subgraphTimeoutMs,
        breaker: resilience.breaker,
        transport,
        stale,
      });
      return withFetchMetrics(name, source, ledger.fetched);
    },
  });
  return new ApolloServer<RequestContext>({
    gateway,
    // index.ts drains on SIGTERM; Apollo's own handler (on whenever NODE_ENV is not test) would
    // race it, stopping the server under the drain and re-raising the signal.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection ?? true,
    hideSchemaDetailsFromClientErrors: true,
    persistedQueries: { cache: persistedQueryCache(cache) },
    formatError: formatError(logger),
    plugins: [
      requestDeadline({ queryMs: resilience.queryDeadlineMs, mutationMs: resilience.mutationDeadlineMs }),
      operationSpan(),
      foldPartialErrors(),
      overrunAsOverloaded(),
      requestIdOnFaults(),
      unresolvedOperation(),
      queryLimits(limits),
      ...(rateLimiter ? [checkoutRateLimit(rateLimiter)] : []),
      hideSuggestions(),
      recordRequestOutcome(ledger),
      ...(options.plugins ?? []),
    ],
  });
}
