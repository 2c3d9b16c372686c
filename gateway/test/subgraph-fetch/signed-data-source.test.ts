import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { verifySignature, type Signer } from '@ecom/platform/gateway-credential';
import { createLogger } from '@ecom/platform/logger';
import type { RequestContext } from '@ecom/platform/request-context';
import { readBody } from '@ecom/platform/http-host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER } from '../../src/subgraph-fetch/subgraph-breaker.ts';
import { SignedDataSource } from '../../src/subgraph-fetch/signed-data-source.ts';

const SIGNER: Signer = { caller: 'gateway', key: { kid: 'gw-1', secret: 'a-test-secret-of-enough-length' } };
const TO_PRICING = { method: 'POST', path: '/graphql', target: 'pricing' };
const logger = createLogger('test', 'silent');

/** A stand-in subgraph: records what arrives; answers, stalls or fails as told. */
let mode: 'answer' | 'stall' | 'fail' = 'answer';
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let server: Server;
let url: string;
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
      res.end(JSON.stringify({ data: { ok: true } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function run(source: SignedDataSource, budgetMs: number, principal = { userId: 'user-7', roles: ['admin', 'ops'] }) {
  const context: RequestContext = { requestId: 'req-1', principal, deadline: Date.now() + budgetMs, logger };
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

const dataSource = () =>
  new SignedDataSource({
    name: 'pricing',
    url: () => url,
    signer: SIGNER,
    logger,
    defaultBudgetMs: 10_000,
    queryTimeoutMs: 10_000,
    breaker: DEFAULT_BREAKER,
  });

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
});
