import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Signer } from '@ecom/platform/gateway-credential';
import type { Logger } from '@ecom/platform/logger';
import type { RequestContext } from '@ecom/platform/request-context';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { fetchFault } from './fetch-failure.ts';
import { recordFetchAnswer, recordFetchFault } from './fetch-span.ts';
import { injectTraceHeaders } from '@ecom/platform/tracing';
import { fallbackAnswer, rememberAnswer } from './last-known-fallback.ts';
import { signRequest } from './request-signing.ts';
import { createSubgraphBreaker, type BreakerSettings } from './subgraph-breaker.ts';
import type { StaleValues } from './stale-values.ts';
import { fetchBudgetMs, fetcherWithBudget, type BudgetSettings } from './time-budget.ts';

export interface SignedDataSourceOptions extends BudgetSettings {
  name: string;
  /** Read at request time, so a test can point a subgraph elsewhere after the gateway is built. */
  url: () => string;
  /** The gateway's signing key (GATEWAY_SIGNING_KEYS). */
  signer: Signer;
  logger: Logger;
  breaker: BreakerSettings;
  /** Last-known display values, served when a read fetch fails. */
  stale?: StaleValues;
}

/**
 * Apollo Gateway's data source for one subgraph, put together from one piece per concern:
 * signing (request-signing.ts), the time budget (time-budget.ts), the circuit breaker
 * (subgraph-breaker.ts), what a failure means (fetch-failure.ts) and the last-known-value fallback
 * (last-known-fallback.ts).
 */
export class SignedDataSource extends RemoteGraphQLDataSource<RequestContext> {
  private readonly options: SignedDataSourceOptions;
  private readonly breaker: ReturnType<typeof createSubgraphBreaker<GatewayGraphQLResponse>>;

  constructor(options: SignedDataSourceOptions) {
    super({ url: options.url() });
    this.options = options;
    this.breaker = createSubgraphBreaker<GatewayGraphQLResponse>(options.name, options.breaker, options.logger);
    this.fetcher = fetcherWithBudget(this.fetcher, options.defaultBudgetMs);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RequestContext>): void {
    const context = options.context as Partial<RequestContext>;
    signRequest(options.request, context, this.options.signer, this.options.name, fetchBudgetMs(context, this.options, isMutation(options)));
    // The trace context (W3C traceparent) is deliberately outside the signature: see README "Operating it".
    injectTraceHeaders(options.request.http!.headers);
  }

  override async process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<GatewayGraphQLResponse> {
    // Read synchronously at the top of super.process, so concurrent requests cannot mix them up.
    this.url = this.options.url();
    const representations = options.request.variables?.representations as unknown[] | undefined;
    const document = incoming(options).document;
    try {
      const response = await this.breaker.fire(() => super.process(options));
      recordFetchAnswer(response.errors);
      rememberAnswer(this.options.stale, document, representations, response);
      return response;
    } catch (error) {
      const service = this.options.name;
      const context = options.context as Partial<RequestContext>;
      const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
      (context.logger ?? this.options.logger).warn({ err: error, service, status }, 'subgraph fetch failed');
      const path = 'pathInIncomingRequest' in options ? trimPath(options.pathInIncomingRequest) : undefined;
      const fault = fetchFault(error, { service, path, requestId: context.requestId });
      recordFetchFault(fault, error);
      // A mutation is never answered from a fallback: it fails, typed, and the client retries with
      // its idempotency key.
      if (isMutation(options) || !document) throw fault;
      return fallbackAnswer(fault, document, representations, this.options.stale);
    }
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
