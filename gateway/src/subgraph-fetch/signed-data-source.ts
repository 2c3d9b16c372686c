import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Signer } from '@ecom/platform/gateway-credential';
import type { Logger } from '@ecom/platform/logger';
import type { RequestContext } from '@ecom/platform/request-context';
import { traceHeaders } from '@ecom/platform/tracing';
import { GraphQLError, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { fetchFault } from './fetch-failure.ts';
import { recordFetchAnswer, recordFetchFault } from './fetch-span.ts';
import { fallbackAnswer, rememberAnswer } from './last-known-fallback.ts';
import { noteGatewayOverrun } from '../plugins/overrun.ts';
import { signedHeaders } from './request-signing.ts';
import { createSubgraphBreaker, type BreakerSettings } from './subgraph-breaker.ts';
import type { StaleValues } from './stale-values.ts';
import { SubgraphFetchError, type SubgraphTransport } from './subgraph-transport.ts';
import { fetchBudget, MIN_USEFUL_BUDGET_MS, type BudgetSettings } from './time-budget.ts';

export interface SignedDataSourceOptions extends BudgetSettings {
  name: string;
  /** Read at request time, so a test can point a subgraph elsewhere after the gateway is built. */
  url: () => string;
  /** The gateway's signing key (GATEWAY_SIGNING_KEYS). */
  signer: Signer;
  logger: Logger;
  breaker: BreakerSettings;
  /** The keep-alive HTTP client shared by every subgraph's data source. */
  transport: SubgraphTransport;
  /** Last-known display values, served when a read fetch fails. */
  stale?: StaleValues;
}

/**
 * Apollo Gateway's data source for one subgraph, put together from one piece per concern:
 * signing (request-signing.ts), the time budget (time-budget.ts), the HTTP client
 * (subgraph-transport.ts), the circuit breaker (subgraph-breaker.ts), what a failure means
 * (fetch-failure.ts) and the last-known-value fallback (last-known-fallback.ts).
 *
 * It implements GraphQLDataSource itself rather than extending RemoteGraphQLDataSource: that one
 * serialises the body after willSendRequest (so signing it meant serialising it twice), builds a
 * Fetch Request per fetch only for its hooks, and fetches through make-fetch-happen, whose agent
 * captures a stack trace per request. Here the body is serialised once, signed and sent as is.
 */
export class SignedDataSource implements GraphQLDataSource<RequestContext> {
  private readonly options: SignedDataSourceOptions;
  private readonly breaker: ReturnType<typeof createSubgraphBreaker<SubgraphResponse>>;

  constructor(options: SignedDataSourceOptions) {
    this.options = options;
    this.breaker = createSubgraphBreaker<SubgraphResponse>(options.name, options.breaker, options.logger);
  }

  async process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<GatewayGraphQLResponse> {
    const context = options.context as Partial<RequestContext>;
    const mutation = isMutation(options);
    const representations = options.request.variables?.representations as unknown[] | undefined;
    const document = incoming(options).document;
    try {
      const budget = fetchBudget(context, this.options, mutation);
      if (budget.remainingMs < MIN_USEFUL_BUDGET_MS) {
        throw new SubgraphFetchError(`only ${budget.remainingMs} ms of the request's deadline left: not started`, 'timeout', 'gateway');
      }
      const response = await this.breaker.fire(() => this.send(options.request, context, budget));
      restrictCachePolicy(options, response.cacheControl);
      recordFetchAnswer(response.answer.errors);
      rememberAnswer(this.options.stale, document, representations, response.answer);
      return response.answer;
    } catch (error) {
      const service = this.options.name;
      const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
      (context.logger ?? this.options.logger).warn({ err: error, service, status }, 'subgraph fetch failed');
      const path = 'pathInIncomingRequest' in options ? trimPath(options.pathInIncomingRequest) : undefined;
      if (error instanceof SubgraphFetchError && error.blame === 'gateway') noteGatewayOverrun(options.context);
      const fault = fetchFault(error, { service, path, requestId: context.requestId });
      recordFetchFault(fault, error);
      // A mutation is never answered from a fallback: it fails, typed, and the client retries with
      // its idempotency key.
      if (mutation || !document) throw fault;
      return fallbackAnswer(fault, document, representations, this.options.stale);
    }
  }

  private async send(
    request: GatewayGraphQLRequest,
    context: Partial<RequestContext>,
    budget: ReturnType<typeof fetchBudget>,
  ): Promise<SubgraphResponse> {
    const url = this.options.url();
    const { http: _http, ...payload } = request;
    const body = JSON.stringify(payload);
    const path = pathOf(url);
    const headers = {
      'content-type': 'application/json',
      ...signedHeaders({ method: 'POST', path, body }, context, this.options.signer, this.options.name, budget.sentMs),
      // The trace context (W3C traceparent) is deliberately outside the signature: see README "Operating it".
      ...traceHeaders(),
    };
    const sent = await this.options.transport.post(url, headers, body, {
      deadlineMs: budget.remainingMs,
      subgraphTimeoutMs: budget.subgraphTimeoutMs,
    });
    const parsed = parseBody(sent.text, sent.contentType);
    if (sent.status < 200 || sent.status > 299) {
      throw new GraphQLError(`${sent.status}: ${sent.statusText}`, {
        extensions: { response: { url, status: sent.status, statusText: sent.statusText, body: parsed } },
      });
    }
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`Expected JSON response body, but received: ${sent.text.slice(0, 200)}`);
    const answer: GatewayGraphQLResponse = parsed;
    return { answer, cacheControl: sent.cacheControl };
  }
}

interface SubgraphResponse {
  answer: GatewayGraphQLResponse;
  cacheControl?: string;
}

const paths = new Map<string, string>();
function pathOf(url: string): string {
  let path = paths.get(url);
  if (path === undefined) {
    const parsed = new URL(url);
    path = parsed.pathname + parsed.search;
    paths.set(url, path);
  }
  return path;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!contentType?.startsWith('application/json') && !contentType?.startsWith('application/graphql-response+json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * As RemoteGraphQLDataSource does: the client's answer may be cached no longer than each subgraph
 * allowed (no `cache-control` from a subgraph: not at all).
 */
function restrictCachePolicy(options: GraphQLDataSourceProcessOptions<RequestContext>, header: string | undefined): void {
  const policy = (options as { incomingRequestContext?: { overallCachePolicy?: { restrict?(hint: object): void } } }).incomingRequestContext
    ?.overallCachePolicy;
  if (!policy?.restrict) return;
  const maxAge = header ? /(?:^|,)\s*max-age=(\d+)/.exec(header)?.[1] : undefined;
  const scope = header && /(?:^|,)\s*private\b/.test(header) ? 'PRIVATE' : header && /(?:^|,)\s*public\b/.test(header) ? 'PUBLIC' : undefined;
  policy.restrict({ maxAge: maxAge ? Number(maxAge) : 0, ...(scope ? { scope } : {}) });
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
