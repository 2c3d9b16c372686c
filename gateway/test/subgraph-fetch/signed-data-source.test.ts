import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { verifySignature, type Signer } from '@ecom/platform/gateway-credential';
import { createLogger } from '@ecom/platform/logger';
import type { RequestContext } from '@ecom/platform/request-context';
import { readBody } from '@ecom/platform/http-host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER, type BreakerSettings } from '../../src/subgraph-fetch/subgraph-breaker.ts';
import { createSubgraphTransport } from '../../src/subgraph-fetch/subgraph-transport.ts';
import { SignedDataSource } from '../../src/subgraph-fetch/signed-data-source.ts';
import { overrunAsOverloaded } from '../../src/plugins/overrun.ts';

const SIGNER: Signer = { caller: 'gateway', key: { kid: 'gw-1', secret: 'a-test-secret-of-enough-length' } };
const TO_PRICING = { method: 'POST', path: '/graphql', target: 'pricing' };
const logger = createLogger('test', 'silent');

/** A stand-in subgraph: records what arrives; answers (at once or after 20 ms), stalls or fails as told. */
let mode: 'answer' | 'slow' | 'stall' | 'fail' = 'answer';
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let connections = 0;
let server: Server;
let url: string;
const transport = createSubgraphTransport();
beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ headers: req.headers, body: body!.toString('utf8') });
      if (mode === 'stall') return; // never answers
      res.setHeader('content-type', 'application/json');
      if (mode === 'fail') {
        res.statusCode = 503;
        return res.end('{"error":"down: internal detail"}');
      }
      const answer = () => res.end(JSON.stringify({ data: { ok: true } }));
      if (mode === 'slow') setTimeout(answer, 20);
      else answer();
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await transport.close();
  await new Promise((r) => server.close(r));
});

function run(
  source: SignedDataSource,
  budgetMs: number,
  principal = { userId: 'user-7', roles: ['admin', 'ops'] },
  context: RequestContext = { requestId: 'req-1', principal, deadline: Date.now() + budgetMs, logger },
) {
  const options = {
    // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not reachable from ESM)
    kind: 'incoming operation',
    request: { query: 'query Q($id: ID!) { product(id: $id) { id } }', variables: { id: 'prod-001', ünïcode: '✓' }, operationName: 'Q' },
    incomingRequestContext: { overallCachePolicy: undefined },
    context,
    document: undefined,
    pathInIncomingRequest: ['products', 'edges', '@', 'node'],
  } as unknown as GraphQLDataSourceProcessOptions<RequestContext>;
  return source.process(options);
}

const dataSource = (options: { queryTimeoutMs?: number; breaker?: BreakerSettings } = {}) =>
  new SignedDataSource({
    name: 'pricing',
    url: () => url,
    signer: SIGNER,
    logger,
    defaultBudgetMs: 10_000,
    queryTimeoutMs: options.queryTimeoutMs ?? 10_000,
    breaker: options.breaker ?? DEFAULT_BREAKER,
    transport,
  });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as { message: string; path?: unknown; extensions: Record<string, unknown> },
  );

/** Opens after three failures in the window, probes again after half a second. */
const QUICK_BREAKER: BreakerSettings = { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 500, rollingWindowMs: 10_000 };

describe('SignedDataSource', () => {
  it('signs exactly the body it sends, with identity, request id and the remaining budget', async () => {
    mode = 'answer';
    received.length = 0;
    const response = await run(dataSource(), 5_000);
    expect(response.data).toEqual({ ok: true });
    const [sent] = received;
    expect(verifySignature({ gateway: [SIGNER.key] }, TO_PRICING, sent!.headers, sent!.body)).toMatchObject({ caller: 'gateway' });
    expect(
      verifySignature({ gateway: [{ kid: 'gw-1', secret: 'another-secret-of-enough-length' }] }, TO_PRICING, sent!.headers, sent!.body),
    ).toBeUndefined();
    // Signed for the subgraph it was sent to: the same request presented to inventory fails.
    expect(verifySignature({ gateway: [SIGNER.key] }, { ...TO_PRICING, target: 'inventory' }, sent!.headers, sent!.body)).toBeUndefined();
    expect(sent!.headers).toMatchObject({ 'x-request-id': 'req-1', 'x-user-id': 'user-7', 'x-user-roles': 'admin,ops' });
    const budget = Number(sent!.headers['x-deadline-ms']);
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThanOrEqual(5_000);
  });

  it('turns a spent budget into one retryable TIMEOUT naming the subgraph', async () => {
    mode = 'stall';
    const error = await run(dataSource(), 200).then(
      () => null,
      (e: unknown) => e as { message: string; path?: unknown; extensions: Record<string, unknown> },
    );
    expect(error?.extensions).toEqual({ code: 'TIMEOUT', service: 'pricing', retryable: true });
    expect(error?.path).toEqual(['products', 'edges']);
  });

  it('turns a failing subgraph into SERVICE_UNAVAILABLE without its internals', async () => {
    mode = 'fail';
    const error = await run(dataSource(), 5_000).then(
      () => null,
      (e: unknown) => e as { message: string; extensions: Record<string, unknown> },
    );
    expect(error?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', retryable: true });
    expect(error?.message).not.toContain('internal detail');
  });

  it('does not start a fetch with too little of the deadline left: the field fails at once, the subgraph is not asked', async () => {
    mode = 'answer';
    received.length = 0;
    const started = performance.now();
    const error = await failure(run(dataSource(), 5));
    expect(performance.now() - started).toBeLessThan(50);
    expect(error?.extensions).toMatchObject({ code: 'TIMEOUT', service: 'pricing' });
    expect(received).toHaveLength(0);
  });
});

describe("the subgraph's breaker", () => {
  it('opens on a stalled subgraph: past the threshold a fetch fails at once and no connection reaches it; one probe after the reset closes it', async () => {
    mode = 'stall';
    const source = dataSource({ queryTimeoutMs: 100, breaker: QUICK_BREAKER });
    for (let i = 0; i < 3; i++) expect((await failure(run(source, 5_000)))?.extensions.code).toBe('TIMEOUT');
    const connectionsBefore = connections;
    const requestsBefore = received.length;
    const started = performance.now();
    const error = await failure(run(source, 5_000));
    expect(performance.now() - started).toBeLessThan(50); // far less than its 100 ms timeout
    expect(error?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', circuit: 'open' });
    expect(connections).toBe(connectionsBefore);
    expect(received).toHaveLength(requestsBefore);

    mode = 'answer';
    await new Promise((r) => setTimeout(r, 600));
    expect((await run(source, 5_000)).data).toEqual({ ok: true }); // the probe
    expect((await run(source, 5_000)).data).toEqual({ ok: true }); // closed again
  });

  it('opens on 5xx answers', async () => {
    mode = 'fail';
    const source = dataSource({ breaker: QUICK_BREAKER });
    for (let i = 0; i < 3; i++) await failure(run(source, 5_000));
    const requestsBefore = received.length;
    expect((await failure(run(source, 5_000)))?.extensions).toMatchObject({ circuit: 'open' });
    expect(received).toHaveLength(requestsBefore);
  });

  it("stays closed when the client request's deadline, not the subgraph's timeout, runs out", async () => {
    mode = 'stall';
    const source = dataSource({ queryTimeoutMs: 10_000, breaker: QUICK_BREAKER });
    for (let i = 0; i < 6; i++) expect((await failure(run(source, 60)))?.extensions.code).toBe('TIMEOUT');
    const requestsBefore = received.length;
    await failure(run(source, 60));
    expect(received).toHaveLength(requestsBefore + 1); // still asked: the breaker did not open
  });

  it("stays closed when a timeout fired late because the gateway's event loop was blocked", async () => {
    mode = 'slow'; // answers in 20 ms, well within the 50 ms timeout
    const source = dataSource({ queryTimeoutMs: 50, breaker: QUICK_BREAKER });
    for (let i = 0; i < 6; i++) {
      const fetch = failure(run(source, 5_000));
      await new Promise((r) => setTimeout(r, 5));
      const until = performance.now() + 150;
      while (performance.now() < until); // the gateway's CPU is saturated: nothing else runs
      await fetch;
    }
    mode = 'answer';
    const requestsBefore = received.length;
    expect((await run(source, 5_000)).data).toEqual({ ok: true });
    expect(received).toHaveLength(requestsBefore + 1);
  });
});

describe('a read the gateway could not serve in time', () => {
  const respond = async (context: RequestContext, data: Record<string, unknown> | null) => {
    const response = {
      http: { status: undefined as number | undefined, headers: new Map<string, string>() },
      body: { kind: 'single', singleResult: { data, errors: [{ message: 'x', extensions: { code: 'TIMEOUT', service: 'product' } }] } },
    };
    const listener = await overrunAsOverloaded().requestDidStart!({} as never);
    await listener!.willSendResponse!({ response, contextValue: context, operation: { operation: 'query' } } as never);
    return response;
  };

  it('is answered as OVERLOADED, 503 with Retry-After, when the deadline ran out on it and nothing came back', async () => {
    mode = 'stall';
    const context: RequestContext = { requestId: 'req-2', principal: { userId: null, roles: [] }, deadline: Date.now() + 60, logger };
    await failure(run(dataSource(), 60, undefined, context));
    const response = await respond(context, { products: null });
    expect(response.http.status).toBe(503);
    expect(response.http.headers.get('retry-after')).toBe('1');
    expect(response.body.singleResult).toEqual({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'OVERLOADED', retryable: true }) })],
    });
  });

  it('keeps its typed partial answer when some data came back, and its fault when the subgraph itself failed', async () => {
    mode = 'stall';
    const context: RequestContext = { requestId: 'req-3', principal: { userId: null, roles: [] }, deadline: Date.now() + 60, logger };
    await failure(run(dataSource(), 60, undefined, context));
    expect((await respond(context, { products: { edges: [] } })).http.status).toBeUndefined();

    mode = 'fail';
    const failed: RequestContext = { requestId: 'req-4', principal: { userId: null, roles: [] }, deadline: Date.now() + 5_000, logger };
    await failure(run(dataSource(), 5_000, undefined, failed));
    expect((await respond(failed, { products: null })).http.status).toBeUndefined();
  });
});
