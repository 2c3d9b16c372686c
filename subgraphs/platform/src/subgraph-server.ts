import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
// eslint-disable-next-line no-restricted-imports -- @apollo/subgraph's entry point exports no resolver-map type; the one derivable from buildSubgraphSchema's parameters is fixed to an `any` context.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLFormattedError } from 'graphql';
import type { PoolWatch } from './db-pool-usage.ts';
import { fault, INTERNAL_MESSAGE } from './errors.ts';
import { beforeRequest, type FaultInjection } from './fault-injection.ts';
import { verifySignature, type TrustedCallers } from './gateway-credential.ts';
import { createHttpHost, headerMapOf, parseJsonBody, readBody, sendFaults } from './http-host.ts';
import { budgetOf, createLoadShedder, DEFAULT_LOAD_SHEDDING, isMutationBody, type LoadSheddingSettings } from './load-shedding.ts';
import type { Logger } from './logger.ts';
import { operationSpan } from './operation-span.ts';
import { logSubgraphRequests } from './request-log.ts';
import { createReplayGuard } from './replay-guard.ts';
import { HEADERS, requestContextFrom, type RequestContext, type VerifiedRequestContext } from './request-context.ts';
import type { SubgraphName } from './subgraph-names.ts';

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: SubgraphName;
  sdl: string;
  // Resolver maps are typed per subgraph from codegen; here any map will do.
  resolvers: GraphQLResolverMap<TContext> | GraphQLResolverMap<TContext>[];
  logger: Logger;
  /** Adds the subgraph's per-request state (loaders, services) to the base context. */
  extendContext(base: VerifiedRequestContext): TContext | Promise<TContext>;
  /** True when the subgraph's dependencies answer (for /readyz). */
  ready(): Promise<boolean>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** The keys of the callers this subgraph accepts: anything else to /graphql is refused. */
  trustedCallers: TrustedCallers;
  /** Read on every request, so a test changes a running server's faults. */
  faults: FaultInjection;
  /** When to refuse a request at once with OVERLOADED (load-shedding.ts); default DEFAULT_LOAD_SHEDDING. */
  loadShedding?: LoadSheddingSettings;
  /** The subgraph's database pool, whose standing queue sheds reads. */
  dbPool?: PoolWatch;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Errors that carry no code of ours are faults: the client sees INTERNAL and the request id, never internals. */
function maskError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const ours = typeof code === 'string' && !['INTERNAL_SERVER_ERROR'].includes(code);
    if (ours) {
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_USER_INPUT') {
      return formatted;
    }
    logger.error({ err: error }, 'unexpected resolver error');
    return { message: INTERNAL_MESSAGE, path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL', retryable: true } };
  };
}

export async function startSubgraph<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
  listen: { port: number; host?: string },
): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(options.sdl), resolvers: options.resolvers as GraphQLResolverMap<unknown> }]);
  const apollo = new ApolloServer<TContext>({
    schema,
    // The process drains itself on SIGTERM (subgraph-main.ts). Apollo's own handler (on whenever
    // NODE_ENV is not test) would stop the server under it and re-raise the signal, killing the
    // process with 143 before the database pool is closed.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // Installed implicitly, it wraps every field's resolver to collect cache hints (none of our
      // schemas gives one) for a `cache-control: no-store` the gateway reads as no header at all.
      ApolloServerPluginCacheControlDisabled(),
      operationSpan<TContext>(),
      logSubgraphRequests<TContext>(options.name),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: false,
    formatError: maskError(options.logger),
  });
  await apollo.start();
  const replays = createReplayGuard();
  const shedder = createLoadShedder(options.name, options.loadShedding ?? DEFAULT_LOAD_SHEDDING, options.dbPool);

  const host = createHttpHost({
    service: options.name,
    logger: options.logger,
    readiness: async () => ({ ready: await options.ready() }),
    async graphql(req, res, url) {
      const arrived = performance.now();
      const body = await readBody(req);
      if (body === null) return sendFaults(res, 413, [fault('INVALID_INPUT', 'Request body too large')]);
      const request = { method: req.method ?? 'GET', path: url.pathname + url.search, target: options.name };
      const signature = verifySignature(options.trustedCallers, request, req.headers, body.toString('utf8'));
      if (!signature || !replays.firstUse(signature)) {
        return sendFaults(res, 401, [fault('UNAUTHENTICATED', 'This service accepts only requests signed for it by a trusted caller.')]);
      }
      // Before any work of its own: a refusal must cost next to nothing, or shedding adds to the load.
      const shed = shedder.check({
        budgetMs: budgetOf(req.headers[HEADERS.deadline]),
        waitedMs: performance.now() - arrived,
        caller: signature.caller,
        isMutation: () => {
          const parsed = parseJsonBody(req.method, body);
          return parsed !== 'invalid' && isMutationBody(parsed.value);
        },
      });
      if (shed) {
        res.setHeader('retry-after', '1');
        return sendFaults(res, 503, [shedder.refusal(shed)]);
      }
      const headers = headerMapOf(req);

      const injected = await beforeRequest(options.faults, options.name);
      if (injected) return sendFaults(res, injected.status, injected.errors);
      const base = requestContextFrom(req.headers, options.logger, signature.caller);
      const parsed = parseJsonBody(req.method, body);
      if (parsed === 'invalid') return sendFaults(res, 400, [fault('INVALID_INPUT', 'Body is not valid JSON')]);
      res.setHeader(HEADERS.requestId, base.requestId);
      return apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsed.value },
        context: () => Promise.resolve(options.extendContext(base)),
      });
    },
    // The gateway keeps idle connections open (no idle timeout of its own). With Node's default 5 s,
    // the server closes an idle one just as the gateway reuses it, and that request dies with "socket
    // hang up" (a spurious SERVICE_UNAVAILABLE). Idle connections are kept far longer instead.
    keepAliveTimeoutMs: 65_000,
  });
  const port = await host.listen(listen.port, listen.host ?? '127.0.0.1');
  return {
    name: options.name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await host.stop();
      shedder.stop();
      await apollo.stop();
    },
  };
}
