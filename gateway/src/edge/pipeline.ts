import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ApolloServer, HTTPGraphQLResponse } from '@apollo/server';
import { headerMapOf, parseJsonBody, readBody } from '@ecom/platform/http-host';
import type { Logger } from '@ecom/platform/logger';
import type { Principal, RequestContext } from '@ecom/platform/request-context';
import type { AdmissionControl, Admitted } from './admission-control.ts';
import type { AuthResult } from './auth.ts';
import type { HttpOperation } from './http-operation.ts';
import type { OperationIdentity } from './lane.ts';
import { BODY_LIMIT_BYTES, tooComplexRefusal } from './query-limit-refusal.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Refusal } from './refusal.ts';
import type { OperationRegistry } from './safelist.ts';

/** The parts of a request the edge reads: a real IncomingMessage, or any stream with the same headers. */
export type EdgeRequest = Readable & Pick<IncomingMessage, 'headers' | 'method'> & { socket?: { remoteAddress?: string } };

/**
 * What happens to a `/graphql` request at the edge, in this order; the first refusal answers it.
 * Each step is a plain function, so a test can call one alone or run the pipeline with its own.
 *
 * Load admission comes before the rate limits: an overloaded gateway refuses from its own memory,
 * without waiting on Redis (whose round trip, on a machine short of CPU, was most of a slow
 * refusal), and a refused request draws nothing from its sender's budget, so a client that backs
 * off as told is not also counted down. The price is that the capped body is read before the
 * per-principal limit is checked.
 */
export interface EdgeSteps {
  /** The bearer token → the principal (anonymous without one). */
  authenticate(req: EdgeRequest): Promise<{ principal: Principal } | { refusal: Refusal }>;
  /** The body, capped, and parsed as the operation Apollo would see. */
  readOperation(req: EdgeRequest, url: URL): Promise<{ op: HttpOperation } | { refusal: Refusal }>;
  /** Checks on the raw operation: one per request, tokens, APQ shape, safelist. */
  admit(op: HttpOperation): { op: HttpOperation } | { refusal: Refusal };
  /** A slot under the gateway's concurrency limit (admission-control.ts), held until the answer is ready. */
  admitLoad(req: EdgeRequest, op: HttpOperation, principal: Principal): Promise<Admitted | { refusal: Refusal }>;
  /** Per principal (Redis when set), for the requests admitted. */
  rateLimit(req: EdgeRequest, principal: Principal): Promise<{ refusal: Refusal } | undefined>;
  /** Per app, once the operation shows which app sent it (one of its registered operations). */
  rateLimitApp(req: EdgeRequest, op: HttpOperation): Promise<{ refusal: Refusal } | undefined>;
  /** Apollo runs the admitted operation for the principal. */
  execute(req: EdgeRequest, op: HttpOperation, principal: Principal, requestId: string): Promise<HTTPGraphQLResponse>;
}

/** The order of the steps, by name: as runEdgePipeline runs them. */
export const EDGE_PIPELINE = ['authenticate', 'readOperation', 'admit', 'admitLoad', 'rateLimit', 'rateLimitApp', 'execute'] as const;

export async function runEdgePipeline(
  steps: EdgeSteps,
  req: EdgeRequest,
  url: URL,
  requestId: string,
): Promise<{ refusal: Refusal } | { response: HTTPGraphQLResponse }> {
  const auth = await steps.authenticate(req);
  if ('refusal' in auth) return auth;
  const read = await steps.readOperation(req, url);
  if ('refusal' in read) return read;
  const admitted = steps.admit(read.op);
  if ('refusal' in admitted) return admitted;
  const slot = await steps.admitLoad(req, admitted.op, auth.principal);
  if ('refusal' in slot) return slot;
  let ran = false;
  try {
    const limited = (await steps.rateLimit(req, auth.principal)) ?? (await steps.rateLimitApp(req, admitted.op));
    if (limited) return limited;
    ran = true;
    return { response: await steps.execute(req, admitted.op, auth.principal, requestId) };
  } finally {
    slot.release(ran);
  }
}

/** A token that cannot be checked (keys unreachable) is our outage; any other bad token is the client's. */
export function authenticateStep(authenticate: (authorization: string | undefined) => Promise<AuthResult>): EdgeSteps['authenticate'] {
  return async (req) => {
    const auth = await authenticate(req.headers.authorization);
    if (auth.ok) return { principal: auth.principal };
    if (auth.unavailable) return { refusal: { status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true, message: auth.message } };
    return { refusal: { status: 401, code: 'UNAUTHENTICATED', retryable: false, message: auth.message } };
  };
}

/** No limiter configured: nothing is limited. */
export function rateLimitStep(limiter: Pick<RateLimiter, 'admit'> | undefined): EdgeSteps['rateLimit'] {
  return async (req, principal) => {
    const refusal = await limiter?.admit(principal, req.socket?.remoteAddress);
    return refusal ? { refusal } : undefined;
  };
}

/**
 * `apollographql-client-name` is a header anyone can set: it draws on that app's budget only when
 * the request runs one of the app's registered operations. Otherwise it is a label (logs, metrics)
 * and the request is limited per principal alone, so ad-hoc traffic cannot spend an app's budget.
 */
export function rateLimitAppStep(
  limiter: Pick<RateLimiter, 'admitApp'> | undefined,
  registry: OperationRegistry | undefined,
): EdgeSteps['rateLimitApp'] {
  return async (req, op) => {
    const clientName = req.headers['apollographql-client-name'];
    if (!limiter || !registry || typeof clientName !== 'string') return undefined;
    if (!registry.find(op)?.clients.has(clientName)) return undefined;
    const refusal = await limiter.admitApp(clientName);
    return refusal ? { refusal } : undefined;
  };
}

/**
 * The lane comes from the operation; the fairness share is the user's, else the client address's
 * (every anonymous shopper behind one address shares one share, as with the rate limit).
 */
export function admitLoadStep(control: AdmissionControl, laneOf: (op: HttpOperation) => OperationIdentity): EdgeSteps['admitLoad'] {
  return (req, op, principal) => {
    const { lane, key } = laneOf(op);
    const who = principal.userId ? `user:${principal.userId}` : `ip:${req.socket?.remoteAddress ?? 'unknown'}`;
    return control.acquire(lane, who, key);
  };
}

/** A body over the cap is QUERY_TOO_COMPLEX (limit `size`); a POST body that is not JSON is INVALID_INPUT. */
export const readOperation: EdgeSteps['readOperation'] = async (req, url) => {
  const body = await readBody(req, BODY_LIMIT_BYTES);
  if (body === null) return { refusal: tooComplexRefusal('size', BODY_LIMIT_BYTES) };
  const parsed = parseJsonBody(req.method, body);
  if (parsed === 'invalid')
    return { refusal: { status: 400, code: 'INVALID_INPUT', retryable: false, message: 'The request body is not valid JSON.' } };
  return { op: { method: req.method ?? 'GET', search: url.search, body: parsed.value } };
};

export interface ExecuteSettings {
  /** The whole budget of one client request; the request-deadline plugin may shorten it. */
  requestTimeoutMs: number;
  logger: Logger;
}

export function executeStep(apollo: ApolloServer<RequestContext>, settings: ExecuteSettings): EdgeSteps['execute'] {
  return (req, op, principal, requestId) => {
    const context: RequestContext = {
      requestId,
      principal,
      deadline: Date.now() + settings.requestTimeoutMs,
      logger: settings.logger.child({ requestId }),
    };
    return apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { ...op, headers: headerMapOf(req) },
      context: () => Promise.resolve(context),
    });
  };
}
