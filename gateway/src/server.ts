import './apollo-telemetry-off.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, type SupergraphSdlHook } from '@apollo/gateway';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@ecom/platform/logger';
import { HEADERS, type RequestContext } from '@ecom/platform/request-context';
import { readBody, send } from '@ecom/platform/subgraph-server';
import { createAuthenticator } from './plugins/auth.ts';
import { formatError, INTERNAL_MESSAGE, requestIdOnFaults } from './plugins/error-format.ts';
import { probeSubgraphs } from './plugins/readiness.ts';
import { requestIdFrom } from './plugins/request-id.ts';
import { createCache, type Cache } from '@ecom/platform/cache';
import { foldPartialErrors } from './plugins/partial-errors.ts';
import { requestDeadline } from './plugins/request-deadline.ts';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './resilience.ts';
import { SignedDataSource } from './signed-data-source.ts';
import { StaleValues } from './stale-values.ts';
import { admitOperation } from './operation-admission.ts';
import { persistedQueryCache } from './plugins/apq-cache.ts';
import { createCors } from './plugins/cors.ts';
import { BODY_LIMIT_BYTES, DEFAULT_QUERY_LIMITS, queryLimits, tooComplexRefusal, type QueryLimits } from './plugins/query-limits.ts';
import { createRateLimiter, type RateLimitSettings } from './plugins/rate-limit.ts';
import type { Safelist } from './plugins/safelist.ts';
import { hideSuggestions } from './plugins/suggestions.ts';
import { refuse } from './refusal.ts';
import { createExplorer, type ExplorerOptions } from './edge/explorer.ts';

export interface GatewayOptions {
  /** The supergraph, or a source that keeps it current (supergraph-source.ts: reload on file change). */
  supergraphSdl: string | SupergraphSdlHook;
  /**
   * Where each subgraph is served, by subgraph name (the `SUBGRAPH_URL_<NAME>` overrides). Read on
   * every request, so tests may fill it in or repoint it after the gateway is built. A subgraph
   * missing here is fetched at the URL the supergraph names.
   */
  subgraphUrls: Partial<Record<string, string>>;
  gatewaySecret: string;
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
  /** Rate-limit counters in this Redis (shared by every instance); in memory without it. */
  redisUrl?: string;
  /** Depth, aliases, directives, tokens, cost; DEFAULT_QUERY_LIMITS for what is not given. */
  queryLimits?: Partial<QueryLimits>;
  /** Per principal and per app; no rate limiting when omitted. */
  rateLimit?: RateLimitSettings;
  /** Safelist mode: only these registered operations run. */
  safelist?: Safelist;
  /** Origins browsers may call from (`*` for any); none when omitted. */
  corsOrigins?: string[];
  /** Schema introspection (turn off in production); on when omitted. */
  introspection?: boolean;
  /** The offline explorer at `GET /graphql` for browsers (edge/explorer.ts); off when omitted. */
  explorer?: ExplorerOptions;
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
const DRAIN_GRACE_MS = 10_000;

/** A pure factory: everything comes in as arguments, so a test can build the gateway in process. */
export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const subgraphDefaults: Record<string, string> = {};
  const urlOf = (name: string) => options.subgraphUrls[name] ?? subgraphDefaults[name]!;
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const cache = options.cache ?? createCache(undefined);
  const stale = new StaleValues(cache);
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.queryLimits };
  const rateLimiter = options.rateLimit ? createRateLimiter(options.rateLimit, options.redisUrl, logger) : undefined;
  const cors = createCors(options.corsOrigins ?? []);
  const explorer = options.explorer ? createExplorer(options.explorer) : undefined;

  const gateway = new ApolloGateway({
    // Either form: ApolloGateway tells a string from a function at runtime; its config type is a union per form.
    supergraphSdl: options.supergraphSdl as string,
    logger: logger.child({ component: 'apollo-gateway' }),
    // The data source reads each fetch's document to name the fields a failed fetch leaves null.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    buildService: ({ name, url }) => {
      subgraphDefaults[name] = url!;
      return new SignedDataSource({
        name,
        url: () => urlOf(name),
        gatewaySecret: options.gatewaySecret,
        logger,
        defaultBudgetMs: requestTimeoutMs,
        queryTimeoutMs: resilience.perSubgraphTimeoutMs[name] ?? resilience.subgraphTimeoutMs,
        breaker: resilience.breaker,
        stale,
      });
    },
  });
  const apollo = new ApolloServer<RequestContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection ?? true,
    hideSchemaDetailsFromClientErrors: true,
    persistedQueries: { cache: persistedQueryCache(cache) },
    formatError: formatError(logger),
    plugins: [
      requestDeadline({ queryMs: resilience.queryDeadlineMs, mutationMs: resilience.mutationDeadlineMs }),
      foldPartialErrors(),
      requestIdOnFaults(),
      queryLimits(limits),
      hideSuggestions(),
      ...(options.plugins ?? []),
    ],
  });
  const authenticate = createAuthenticator(options.jwtSecret, options.jwksUrl);
  let loaded = false;
  const started = apollo.start().then(() => {
    loaded = true;
  });
  // Surface a broken supergraph on listen, not as an unhandled rejection.
  started.catch(() => {});

  const subgraphNames = () => {
    const fromSupergraph = Object.keys(subgraphDefaults);
    return Object.fromEntries(fromSupergraph.map((name) => [name, urlOf(name)]));
  };

  // Once stopping, answers close their connection: a drained keep-alive socket would otherwise hold
  // stop() until the keep-alive timeout.
  let draining = false;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdFrom(req.headers[HEADERS.requestId]);
    res.setHeader(HEADERS.requestId, requestId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (cors(req, res)) return;
    if (explorer && (await explorer(req, res, url))) return;

    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      if (!loaded) return send(res, 503, { status: 'unavailable', supergraph: 'not loaded', down: [] });
      const { ready, down } = await probeSubgraphs(subgraphNames());
      return send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', down });
    }
    if (url.pathname !== '/graphql') return send(res, 404, { error: 'not found' });

    const auth = await authenticate(req.headers.authorization);
    if (!auth.ok) {
      if (auth.unavailable) return refuse(res, { status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true, message: auth.message });
      return send(res, 401, { errors: [{ message: auth.message, extensions: { code: 'UNAUTHENTICATED', retryable: false } }] });
    }
    const clientName = req.headers['apollographql-client-name'];
    const limited = await rateLimiter?.admit(auth.principal, req.socket.remoteAddress, typeof clientName === 'string' ? clientName : undefined);
    if (limited) return refuse(res, limited);

    // A declared length over the cap is refused before a byte is read; readBody caps the rest.
    const declared = Number(req.headers['content-length'] ?? 0);
    const body = declared > BODY_LIMIT_BYTES ? null : await readBody(req);
    if (body === null) return refuse(res, tooComplexRefusal('size', BODY_LIMIT_BYTES));
    let parsedBody: unknown = undefined;
    if (req.method === 'POST' && body.length > 0) {
      try {
        parsedBody = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'INVALID_INPUT', retryable: false } }] });
      }
    }
    const admitted = admitOperation({ method: req.method ?? 'GET', search: url.search, body: parsedBody }, { maxTokens: limits.tokens, safelist: options.safelist });
    if ('refusal' in admitted) return refuse(res, admitted.refusal);
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);

    const context: RequestContext = {
      requestId,
      principal: auth.principal,
      deadline: Date.now() + requestTimeoutMs,
      logger: logger.child({ requestId }),
    };
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { ...admitted.op, headers },
      context: () => Promise.resolve(context),
    });
    res.statusCode = result.status ?? 200;
    if (draining) res.setHeader('connection', 'close');
    for (const [k, v] of result.headers) res.setHeader(k, v);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  let server: Server | undefined;
  return {
    async listen(port, host) {
      await started;
      await rateLimiter?.ready();
      server = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          logger.error({ err }, 'request failed');
          if (!res.headersSent) send(res, 500, { errors: [{ message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL', retryable: true } }] });
          else res.end();
        });
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      const actual = (listening.address() as AddressInfo).port;
      const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return { url: `http://${shownHost}:${actual}/graphql`, port: actual };
    },
    async stop() {
      if (server) {
        const closing = server;
        draining = true;
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeIdleConnections();
          // A client holding a busy keep-alive connection does not get to delay shutdown forever.
          setTimeout(() => closing.closeAllConnections(), DRAIN_GRACE_MS).unref();
        });
      }
      await apollo.stop();
      rateLimiter?.close();
    },
  };
}
