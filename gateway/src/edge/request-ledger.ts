import type { ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { gatewayRequestDuration, refusedRequests } from '@ecom/platform/metrics';
import type { Logger } from '@ecom/platform/logger';
import type { EdgeRequest, EdgeSteps } from './pipeline.ts';
import type { Refusal } from './refusal.ts';

/**
 * What is known about one client request by the time it is answered, filled in by whoever learns
 * it: the host (client, trace id, status, latency), the edge steps (user, refusal), the Apollo
 * plugin (operation, result, cost) and the data sources (subgraph fetches made).
 */
export interface RequestFacts {
  requestId: string;
  traceId?: string;
  user?: string;
  client?: string;
  operation?: string;
  operationType?: string;
  /** `ok`, `partial`, or an error code. */
  result?: string;
  /** For `partial`: the services whose fields came back empty. */
  failedServices?: string[];
  /** The query cost the limits computed. */
  cost?: number;
  subgraphFetches: number;
}

/**
 * The facts of every request in flight, by request id, and the one line each leaves when it ends.
 * Keyed by request id because that is what every layer carries; a client reusing one id for two
 * concurrent requests shares one entry (its lines then say so: both carry the same facts).
 */
export interface RequestLedger {
  /** Starts the record of a `/graphql` request; its access line and metrics are written when the answer is sent. */
  begin(req: EdgeRequest, res: ServerResponse, requestId: string): void;
  get(requestId: string | undefined): RequestFacts | undefined;
  /** Counts one subgraph fetch made for the request (part of its cost). */
  fetched: (requestId: string | undefined) => void;
  /** Notes a refusal at the edge (its code is the request's result) and hands it back to be sent. */
  refused(requestId: string, refusal: Refusal): Refusal;
  /** The edge steps, with the user the token names recorded (a rate-limited request still has one). */
  observeSteps(steps: EdgeSteps): EdgeSteps;
}

export function createRequestLedger(logger: Logger): RequestLedger {
  const open = new Map<string, RequestFacts>();
  const byRequest = new WeakMap<object, RequestFacts>();
  const access = logger.child({ log: 'access' });

  return {
    begin(req, res, requestId) {
      const started = performance.now();
      const client = header(req, 'apollographql-client-name');
      const version = header(req, 'apollographql-client-version');
      const facts: RequestFacts = {
        requestId,
        traceId: trace.getActiveSpan()?.spanContext().traceId,
        client: client ? (version ? `${client}@${version}` : client) : undefined,
        subgraphFetches: 0,
      };
      open.set(requestId, facts);
      byRequest.set(req, facts);
      res.once('close', () => {
        if (open.get(requestId) === facts) open.delete(requestId);
        const latencyMs = Math.round((performance.now() - started) * 10) / 10;
        const result = facts.result ?? (res.statusCode < 400 ? 'ok' : `HTTP_${res.statusCode}`);
        gatewayRequestDuration.observe(
          { operation: facts.operation ?? 'unknown', operation_type: facts.operationType ?? 'unknown', client: client ?? 'unknown', result },
          latencyMs / 1000,
        );
        access.info(
          {
            requestId,
            traceId: facts.traceId,
            user: facts.user ?? 'anonymous',
            client: facts.client,
            operation: facts.operation,
            operationType: facts.operationType,
            result,
            ...(facts.failedServices?.length ? { failedServices: facts.failedServices } : {}),
            status: res.statusCode,
            latencyMs,
            cost: { query: facts.cost, subgraphFetches: facts.subgraphFetches },
            ...(res.writableFinished ? {} : { aborted: true }),
          },
          'request',
        );
      });
    },
    get: (requestId) => (requestId === undefined ? undefined : open.get(requestId)),
    fetched(requestId) {
      const facts = requestId === undefined ? undefined : open.get(requestId);
      if (facts) facts.subgraphFetches += 1;
    },
    refused(requestId, refusal) {
      const facts = open.get(requestId);
      if (facts) facts.result = refusal.code;
      refusedRequests.inc({ reason: reasonOf(refusal), code: refusal.code });
      return refusal;
    },
    observeSteps(steps) {
      return {
        ...steps,
        async authenticate(req) {
          const outcome = await steps.authenticate(req);
          const facts = byRequest.get(req);
          if (facts && 'principal' in outcome && outcome.principal.userId) facts.user = outcome.principal.userId;
          return outcome;
        },
      };
    },
  };
}

/** A refusal's reason for the metric: the limit it names, else what its code says. */
function reasonOf(refusal: Refusal): string {
  const limit = refusal.extensions?.limit;
  if (typeof limit === 'string') return `too_complex_${limit}`;
  if (typeof refusal.extensions?.reason === 'string') return refusal.extensions.reason;
  return refusal.code.toLowerCase();
}

/** A client name or version as sent, when it is short and plain (it becomes a metric label). */
function header(req: EdgeRequest, name: string): string | undefined {
  const v = req.headers[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one && /^[\w.@/+-]{1,64}$/.test(one) ? one : undefined;
}
