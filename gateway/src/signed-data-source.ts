import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { signHeaders } from '@ecom/platform/gateway-credential';
import type { Logger } from '@ecom/platform/logger';
import { HEADERS, type RequestContext } from '@ecom/platform/request-context';
import { injectTraceHeaders } from '@ecom/platform/tracing';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import { missingFields, pathOf } from './fetch-failure.ts';
import { recordFetchAnswer, recordFetchFault } from './fetch-span.ts';
import { BreakerOpenError, createSubgraphBreaker, type BreakerSettings } from './subgraph-breaker.ts';
import type { StaleValues } from './stale-values.ts';

export interface SignedDataSourceOptions {
  name: string;
  /** Read at request time, so a test can point a subgraph elsewhere after the gateway is built. */
  url: () => string;
  gatewaySecret: string;
  logger: Logger;
  /** Budget for a subgraph call made outside a client request (none today, kept safe anyway). */
  defaultBudgetMs: number;
  /** Longest a read may wait for this subgraph, whatever is left of the request's deadline. */
  queryTimeoutMs: number;
  breaker: BreakerSettings;
  /** Last-known display values, served when a read fetch fails. */
  stale?: StaleValues;
}

/** The shortest budget worth sending: below it the subgraph could not answer in time anyway. */
const MIN_BUDGET_MS = 1;

/**
 * Every subgraph request carries the caller's identity, request id and remaining deadline in
 * headers signed with the shared gateway secret; subgraphs trust identity only through that
 * signature. The signature covers the body, so the body is serialised here exactly as
 * RemoteGraphQLDataSource.sendRequest serialises it: JSON.stringify of `{ query, ...rest }`
 * without `http` (APQ stays off, so the request is not changed after willSendRequest).
 */
export class SignedDataSource extends RemoteGraphQLDataSource<RequestContext> {
  private readonly options: SignedDataSourceOptions;
  private readonly breaker: ReturnType<typeof createSubgraphBreaker<GatewayGraphQLResponse>>;

  constructor(options: SignedDataSourceOptions) {
    super({ url: options.url() });
    this.options = options;
    this.breaker = createSubgraphBreaker<GatewayGraphQLResponse>(options.name, options.breaker, options.logger);
    const base = this.fetcher;
    // The remaining budget travels in x-deadline-ms; the fetch gives up when it is spent. A signal,
    // not make-fetch-happen's `timeout`: that one is part of its agent cache key, so every distinct
    // budget would get a fresh agent and no connection would ever be reused.
    this.fetcher = (url, init) => {
      const budget = Number(init?.headers && (init.headers as Record<string, string>)[HEADERS.deadline]);
      const signal = AbortSignal.timeout(Number.isFinite(budget) && budget > 0 ? budget : options.defaultBudgetMs);
      return base(url, { ...init, signal } as typeof init);
    };
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RequestContext>): void {
    const { request, context } = options;
    const http = request.http!;
    const ctx = context as Partial<RequestContext>;
    const remaining = ctx.deadline ? Math.max(MIN_BUDGET_MS, ctx.deadline - Date.now()) : this.options.defaultBudgetMs;
    // A read gives up on this subgraph after its own timeout; a mutation only at the deadline.
    const budget = isMutation(options) ? remaining : Math.min(remaining, this.options.queryTimeoutMs);
    const { http: _http, query, ...rest } = request;
    const body = JSON.stringify({ query, ...rest });
    const signed = signHeaders(this.options.gatewaySecret, {
      requestId: ctx.requestId ?? '',
      userId: ctx.principal?.userId ?? null,
      roles: ctx.principal?.roles ?? [],
      deadlineMs: String(budget),
      body,
    });
    // Nothing a client sent may pose as identity: drop anything inherited before signing.
    for (const name of [HEADERS.userId, HEADERS.roles]) http.headers.delete(name);
    for (const [name, value] of Object.entries(signed)) http.headers.set(name, value);
    // The trace context (W3C traceparent) is deliberately outside the signature: see README "Operating it".
    injectTraceHeaders(http.headers);
  }

  override async process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<GatewayGraphQLResponse> {
    // Read synchronously at the top of super.process, so concurrent requests cannot mix them up.
    this.url = this.options.url();
    const representations = options.request.variables?.representations as unknown[] | undefined;
    const document = incoming(options).document;
    try {
      const response = await this.breaker.fire(() => super.process(options));
      recordFetchAnswer(response.errors);
      const entities = (response.data as { _entities?: unknown[] } | undefined)?._entities;
      if (this.options.stale && document && representations && entities) {
        this.options.stale.remember(missingFields(document, representations), representations, entities);
      }
      return response;
    } catch (error) {
      const fault = this.fault(error, options);
      recordFetchFault(fault, error);
      // A mutation is never answered from a fallback: it fails, typed, and the client retries with
      // its idempotency key.
      if (isMutation(options) || !document) throw fault;
      return this.partialAnswer(fault, document, representations);
    }
  }

  /**
   * One error per field the failed fetch would have filled, at a path the gateway maps onto the
   * client's response; display fields with a last-known value get it back, marked stale.
   */
  private async partialAnswer(
    fault: GraphQLError,
    document: DocumentNode,
    representations: unknown[] | undefined,
  ): Promise<GatewayGraphQLResponse> {
    const fields = missingFields(document, representations);
    const stale = this.options.stale && representations ? await this.options.stale.recall(fields, representations) : new Map();
    const errors: GraphQLFormattedError[] = fields.map((m) => ({
      message: stale.has(m) ? `${fault.message} The last known value is shown.` : fault.message,
      path: pathOf(m),
      extensions: stale.has(m) ? { ...fault.extensions, stale: true } : fault.extensions,
    }));
    if (stale.size === 0 || !representations) return { errors };
    const entities: (Record<string, unknown> | null)[] = representations.map(() => null);
    for (const [m, value] of stale) {
      const entity = (entities[m.index!] ??= {});
      entity[m.responseName] = value;
    }
    return { data: { _entities: entities }, errors };
  }

  /** A failed fetch becomes one typed, retryable fault naming the subgraph, never its internals. */
  private fault(error: unknown, options: GraphQLDataSourceProcessOptions<RequestContext>): GraphQLError {
    const service = this.options.name;
    const path = 'pathInIncomingRequest' in options ? trimPath(options.pathInIncomingRequest) : undefined;
    const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
    const { type, name } = error as { type?: string; name?: string };
    const ctx = options.context as Partial<RequestContext>;
    (ctx.logger ?? this.options.logger).warn({ err: error, service, status }, 'subgraph fetch failed');

    if (error instanceof BreakerOpenError) {
      return new GraphQLError(`The ${service} service is unavailable right now. Retry shortly.`, {
        path,
        extensions: { code: 'SERVICE_UNAVAILABLE', service, retryable: true, circuit: 'open' },
      });
    }
    if (name === 'AbortError' || name === 'TimeoutError' || type === 'aborted' || type === 'request-timeout' || type === 'body-timeout') {
      return new GraphQLError(`The ${service} service did not answer in time. Retry shortly.`, {
        path,
        extensions: { code: 'TIMEOUT', service, retryable: true },
      });
    }
    if (status !== undefined && status < 500 && status !== 429) {
      // A 4xx from our own subgraph means the gateway sent something it should not have: our fault.
      return new GraphQLError('Something went wrong on our side. Retry later; quote the request id if it persists.', {
        path,
        extensions: { code: 'INTERNAL', service, retryable: false, requestId: ctx.requestId },
      });
    }
    return new GraphQLError(`The ${service} service is unavailable right now. Retry shortly.`, {
      path,
      extensions: { code: 'SERVICE_UNAVAILABLE', service, retryable: true },
    });
  }
}

/** The parts of an incoming-operation request this class reads (absent on health checks). */
function incoming(options: GraphQLDataSourceProcessOptions<RequestContext>): {
  document?: DocumentNode;
  incomingRequestContext?: { operation?: OperationDefinitionNode };
} {
  return options as never;
}

function isMutation(options: GraphQLDataSourceProcessOptions<RequestContext>): boolean {
  return incoming(options).incomingRequestContext?.operation?.operation === 'mutation';
}

/** The response path up to the first list wildcard: where the missing data would have gone. */
function trimPath(path: readonly (string | number)[] | undefined): (string | number)[] | undefined {
  if (!path) return undefined;
  const cut = path.indexOf('@');
  return cut === -1 ? [...path] : path.slice(0, cut);
}
