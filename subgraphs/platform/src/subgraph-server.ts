import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLFormattedError } from 'graphql';
import type { FaultInjection } from './fault-injection.ts';
import { verifySignature } from './gateway-credential.ts';
import type { Logger } from './logger.ts';
import { operationSpan } from './operation-span.ts';
import { HEADERS, requestContextFrom, type RequestContext } from './request-context.ts';
import { serveTraced } from './tracing.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: string;
  sdl: string;
  // Resolver maps are typed per subgraph from codegen; here any map will do.
  resolvers: GraphQLResolverMap<TContext> | GraphQLResolverMap<TContext>[];
  logger: Logger;
  /** Adds the subgraph's per-request state (loaders, services) to the base context. */
  extendContext(base: RequestContext): TContext | Promise<TContext>;
  /** True when the subgraph's dependencies answer (for /readyz). */
  ready(): Promise<boolean>;
  plugins?: ApolloServerPlugin<TContext>[];
  /** The gateway's shared secret: unsigned requests to /graphql are refused. */
  gatewaySecret: string;
  faults?: FaultInjection;
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
    return {
      message: 'Something went wrong on our side. Retry later; quote the request id if it persists.',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL', retryable: true },
    };
  };
}

export async function startSubgraph<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
  listen: { port: number; host?: string },
): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(options.sdl), resolvers: options.resolvers as GraphQLResolverMap<unknown> }]);
  const apollo = new ApolloServer<TContext>({
    schema,
    plugins: [ApolloServerPluginInlineTraceDisabled(), operationSpan<TContext>(), ...(options.plugins ?? [])],
    includeStacktraceInErrorResponses: false,
    formatError: maskError(options.logger),
  });
  await apollo.start();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      const ok = await options.ready().catch(() => false);
      return send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable' });
    }
    if (url.pathname !== '/graphql') return send(res, 404, { error: 'not found' });

    const body = await readBody(req);
    if (body === null) return send(res, 413, { errors: [{ message: 'Request body too large', extensions: { code: 'INVALID_INPUT' } }] });
    if (!verifySignature(options.gatewaySecret, req.headers, body.toString('utf8'))) {
      return send(res, 401, {
        errors: [{ message: 'This service accepts only requests signed by the gateway.', extensions: { code: 'UNAUTHENTICATED', retryable: false } }],
      });
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);

    const faults = options.faults;
    if (faults?.mode === 'error') {
      return send(res, 503, { errors: [{ message: 'Injected fault: unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    }
    if (faults?.mode === 'delay') await new Promise((r) => setTimeout(r, faults.delayMs));
    const base = requestContextFrom(req.headers, options.logger);
    let parsedBody: unknown = undefined;
    if (req.method === 'POST' && body.length > 0) {
      try {
        parsedBody = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'INVALID_INPUT' } }] });
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsedBody },
      context: () => Promise.resolve(options.extendContext(base)),
    });
    res.statusCode = result.status ?? 200;
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.setHeader(HEADERS.requestId, base.requestId);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  const server: Server = createServer((req, res) => {
    serveTraced(options.name, req, res, () => handle(req, res)).catch((err) => {
      options.logger.error({ err }, 'request failed');
      if (!res.headersSent) send(res, 500, { errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL' } }] });
      else res.end();
    });
  });
  // The gateway keeps idle connections open (no idle timeout of its own). With Node's default 5 s,
  // the server closes an idle one just as the gateway reuses it, and that request dies with "socket
  // hang up" (a spurious SERVICE_UNAVAILABLE). Idle connections are kept far longer instead.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolveListen) => server.listen(listen.port, listen.host ?? '127.0.0.1', resolveListen));
  const port = (server.address() as AddressInfo).port;
  return {
    name: options.name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await apollo.stop();
    },
  };
}

export function send(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

export function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolveBody(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
