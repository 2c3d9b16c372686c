import { Readable } from 'node:stream';
import type { HTTPGraphQLResponse } from '@apollo/server';
import type { Principal } from '@ecom/platform/request-context';
import { describe, expect, it, vi } from 'vitest';
import { CLOCK_TOLERANCE_SECONDS, createAuthenticator, mintToken } from '../../src/edge/auth.ts';
import {
  authenticateStep,
  EDGE_PIPELINE,
  rateLimitStep,
  readOperation,
  runEdgePipeline,
  type EdgeRequest,
  type EdgeSteps,
} from '../../src/edge/pipeline.ts';
import { BODY_LIMIT_BYTES } from '../../src/edge/query-limit-refusal.ts';
import type { Refusal } from '../../src/edge/refusal.ts';

const SECRET = 'a-test-jwt-secret-of-enough-length';
const url = new URL('http://localhost/graphql');

/** A request as the edge reads it: headers, a method and a body stream. */
function request(headers: Record<string, string>, body = '', method = 'POST'): EdgeRequest {
  return Object.assign(Readable.from(body ? [Buffer.from(body)] : []), { headers, method });
}

const refusal = (code: Refusal['code']): Refusal => ({ status: 400, code, retryable: false, message: code });
const anonymous: Principal = { userId: null, roles: [] };

/** Steps that record their name and pass, except the one told to refuse. */
function recordingSteps(refuseAt?: (typeof EDGE_PIPELINE)[number]) {
  const ran: string[] = [];
  const answer = { status: 200, headers: new Map(), body: { kind: 'complete', string: '{}' } } as unknown as HTTPGraphQLResponse;
  const steps: EdgeSteps = {
    authenticate: async () => (
      ran.push('authenticate'),
      refuseAt === 'authenticate' ? { refusal: refusal('UNAUTHENTICATED') } : { principal: anonymous }
    ),
    rateLimit: async () => (ran.push('rateLimit'), refuseAt === 'rateLimit' ? { refusal: refusal('RATE_LIMITED') } : undefined),
    readOperation: async () => (
      ran.push('readOperation'),
      refuseAt === 'readOperation' ? { refusal: refusal('QUERY_TOO_COMPLEX') } : { op: { method: 'POST', search: '', body: {} } }
    ),
    admit: (op) => (ran.push('admit'), refuseAt === 'admit' ? { refusal: refusal('OPERATION_NOT_REGISTERED') } : { op }),
    rateLimitApp: async () => (ran.push('rateLimitApp'), refuseAt === 'rateLimitApp' ? { refusal: refusal('RATE_LIMITED') } : undefined),
    admitLoad: async () => (
      ran.push('admitLoad'),
      refuseAt === 'admitLoad' ? { refusal: refusal('OVERLOADED') } : { release: (done = true) => ran.push(done ? 'release' : 'release unused') }
    ),
    execute: async () => (ran.push('execute'), answer),
  };
  return { steps, ran, answer };
}

describe('the edge pipeline', () => {
  it('runs authenticate → read body → admit → load admission → rate-limit → app rate-limit → execute, in that order, and frees the slot after', async () => {
    const { steps, ran, answer } = recordingSteps();
    const outcome = await runEdgePipeline(steps, request({}), url, 'req-1');
    expect(ran).toEqual([...EDGE_PIPELINE, 'release']);
    expect(outcome).toEqual({ response: answer });
  });

  it.each(EDGE_PIPELINE.filter((s) => s !== 'execute'))('stops at a refusal from %s: no later step runs', async (step) => {
    const { steps, ran } = recordingSteps(step);
    const outcome = await runEdgePipeline(steps, request({}), url, 'req-1');
    const stepsRun = EDGE_PIPELINE.slice(0, EDGE_PIPELINE.indexOf(step) + 1);
    // Refused by a rate limit once admitted: the slot is handed back as unused (it teaches the limit nothing).
    expect(ran).toEqual(stepsRun.includes('admitLoad') && step !== 'admitLoad' ? [...stepsRun, 'release unused'] : stepsRun);
    expect('refusal' in outcome).toBe(true);
  });
});

describe('edge steps alone', () => {
  const authenticate = authenticateStep(createAuthenticator(SECRET));

  it('authenticate: no header is anonymous; a valid token is its principal; anything else is 401 UNAUTHENTICATED', async () => {
    expect(await authenticate(request({}))).toEqual({ principal: anonymous });
    const token = await mintToken(SECRET, 'user-7', ['admin']);
    expect(await authenticate(request({ authorization: `Bearer ${token}` }))).toEqual({ principal: { userId: 'user-7', roles: ['admin'] } });
    const refused = await authenticate(request({ authorization: 'Basic dXNlcjpwYXNz' }));
    expect(refused).toMatchObject({ refusal: { status: 401, code: 'UNAUTHENTICATED', retryable: false } });
  });

  it('authenticate: a token verified once is trusted again only until it expires (beyond the clock tolerance)', async () => {
    const fresh = authenticateStep(createAuthenticator(SECRET));
    const token = await mintToken(SECRET, 'user-8', [], '60s');
    const asked = request({ authorization: `Bearer ${token}` });
    expect(await fresh(asked)).toEqual({ principal: { userId: 'user-8', roles: [] } });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 + (CLOCK_TOLERANCE_SECONDS - 5) * 1000 });
    try {
      expect(await fresh(request({ authorization: `Bearer ${token}` }))).toEqual({ principal: { userId: 'user-8', roles: [] } });
      vi.setSystemTime(Date.now() + 10_000);
      expect(await fresh(request({ authorization: `Bearer ${token}` }))).toMatchObject({
        refusal: { status: 401, code: 'UNAUTHENTICATED', message: 'The token has expired. Sign in again.' },
      });
    } finally {
      vi.useRealTimers();
    }
    // A forged token reusing a trusted one's payload is still checked: the cache is keyed by the whole token.
    const [head, body] = token.split('.');
    expect(await fresh(request({ authorization: `Bearer ${head}.${body}.AAAA` }))).toMatchObject({ refusal: { status: 401 } });
  });

  it('rate-limit: without a limiter nothing is limited', async () => {
    expect(await rateLimitStep(undefined)(request({}), anonymous)).toBeUndefined();
  });

  it('read body: a declared length over the cap is refused as QUERY_TOO_COMPLEX (size) without reading', async () => {
    const outcome = await readOperation(request({ 'content-length': String(BODY_LIMIT_BYTES + 1) }, '{}'), url);
    expect(outcome).toMatchObject({ refusal: { status: 413, code: 'QUERY_TOO_COMPLEX', extensions: { limit: 'size', max: BODY_LIMIT_BYTES } } });
  });

  it('read body: a POST body that is not JSON is INVALID_INPUT; JSON becomes the operation', async () => {
    expect(await readOperation(request({}, '{not json'), url)).toMatchObject({ refusal: { status: 400, code: 'INVALID_INPUT' } });
    const query = '{ __typename }';
    expect(await readOperation(request({}, JSON.stringify({ query })), url)).toEqual({ op: { method: 'POST', search: '', body: { query } } });
  });
});
