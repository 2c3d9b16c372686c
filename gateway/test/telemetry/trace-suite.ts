import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { startTelemetry, type Telemetry } from '@ecom/platform/telemetry';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTelemetryEnv } from '../../src/env.ts';
import { ADDRESS, mutateOk, OPS, shopperWithCart, variantsInStock, type CartView, type Result } from '../mutations/shopper.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { ancestorsOf, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';

/**
 * One client request is one trace, from the gateway down to every SQL statement, exported over real
 * OTLP/HTTP to a receiver in the test. The whole graph runs in this process, so all seven services
 * share one tracer provider (one resource): each span says which service it belongs to in its
 * `service.name` attribute, which in a deployment of one process per service repeats the resource's.
 */
export function traceSuite(protocol: 'http/json' | 'http/protobuf') {
  let receiver: OtlpReceiver;
  let telemetry: Telemetry;
  let graph: Graph;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The SDK reads the standard variables itself; these are what an operator would set.
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.endpoint);
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', protocol);
    for (const name of [
      'OTEL_SDK_DISABLED',
      'OTEL_SERVICE_NAME',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ]) {
      vi.stubEnv(name, '');
    }
    telemetry = startTelemetry(loadTelemetryEnv());
    graph = await startGraph();
  });
  afterAll(async () => {
    await graph?.stop();
    await telemetry?.shutdown();
    await receiver?.close();
    vi.unstubAllEnvs();
  });

  const newTrace = () => ({ traceId: randomBytes(16).toString('hex'), parentId: randomBytes(8).toString('hex') });

  async function traceOf(traceId: string, expectServers: string[]): Promise<ReceivedSpan[]> {
    // Subgraph server spans end when their response closes, a moment after the client has its answer.
    for (let i = 0; i < 50; i++) {
      await telemetry.flush();
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      const servers = new Set(spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.attributes['service.name']));
      if (expectServers.every((n) => servers.has(n))) return spans;
      await new Promise((r) => setTimeout(r, 100));
    }
    return receiver.spans.filter((s) => s.traceId === traceId);
  }

  const serverSpanOf = (spans: ReceivedSpan[], service: string) => {
    const found = spans.filter((s) => s.kind === SpanKind.SERVER && s.attributes['service.name'] === service);
    expect(found.length, `server spans of ${service}`).toBeGreaterThan(0);
    return found;
  };

  /** Every SQL span of `service` in the trace, each checked to sit under one of its server spans. */
  function sqlUnder(spans: ReceivedSpan[], service: string): ReceivedSpan[] {
    const servers = serverSpanOf(spans, service);
    const sql = spans.filter((s) => s.attributes['db.system'] === 'postgresql' && s.attributes['service.name'] === service);
    expect(sql.length, `SQL spans of ${service}`).toBeGreaterThan(0);
    for (const s of sql) {
      expect(s.kind).toBe(SpanKind.CLIENT);
      expect(ancestorsOf(spans, s).some((a) => servers.includes(a))).toBe(true);
      expect(s.attributes['db.operation']).toMatch(/^[A-Z]+$/);
      expect(typeof s.attributes['db.statement']).toBe('string');
    }
    return sql;
  }

  describe(`traces exported over OTLP ${protocol}`, () => {
    it('a listing with a traceparent is one trace: gateway, product, pricing, inventory, marketing, and their SQL', async () => {
      const { traceId, parentId } = newTrace();
      const requestId = `trace-${randomUUID()}`;
      const res = await graph.request(
        operation('web/CategoryListing'),
        { first: 12 },
        {
          headers: {
            traceparent: `00-${traceId}-${parentId}-01`,
            baggage: 'injected=from-the-client',
            'x-request-id': requestId,
            'apollographql-client-name': 'web',
            'apollographql-client-version': '4.2.0',
          },
        },
      );
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      const listed = ['product', 'pricing', 'inventory', 'marketing'];
      const spans = await traceOf(traceId, ['gateway', ...listed]);
      expect(receiver.contentTypes.at(-1)).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');

      // The client operation: continues the client's span, named after the operation.
      const [client] = serverSpanOf(spans, 'gateway');
      expect(client!.parentSpanId).toBe(parentId);
      expect(client!.name).toBe('query CategoryListing');
      expect(client!.attributes).toMatchObject({
        'request.id': requestId,
        'graphql.operation.name': 'CategoryListing',
        'graphql.operation.type': 'query',
        'graphql.client.name': 'web',
        'graphql.client.version': '4.2.0',
        'graphql.result': 'ok',
        'http.response.status_code': 200,
      });
      expect(client!.attributes['graphql.operation.cost']).toBeGreaterThan(0);

      // Apollo Gateway's own spans, under the client operation: planning and one fetch per subgraph.
      const names = spans.map((s) => s.name);
      for (const name of ['gateway.request', 'gateway.validate', 'gateway.plan', 'gateway.execute', 'gateway.fetch']) expect(names).toContain(name);
      const fetches = spans.filter((s) => s.name === 'gateway.fetch');
      expect(new Set(fetches.map((f) => f.attributes.service))).toEqual(new Set(listed));
      for (const f of fetches) {
        expect(ancestorsOf(spans, f)).toContain(client);
        expect(f.attributes).toMatchObject({ 'graphql.fetch.result': 'ok', 'http.response.status_code': 200 });
      }

      for (const service of listed) {
        // Each subgraph's operation continues the fetch that called it (traceparent in the request).
        for (const server of serverSpanOf(spans, service)) {
          const parent = spans.find((s) => s.spanId === server.parentSpanId);
          expect(parent?.name, `${service}'s operation span parent`).toBe('gateway.fetch');
          expect(parent?.attributes.service).toBe(service);
          expect(server.name).toMatch(/^query /);
        }
        const sql = sqlUnder(spans, service);
        // Statements are drizzle's parameterised text; the values travel separately and never here.
        expect(sql.some((s) => /\$1\b/.test(String(s.attributes['db.statement'])))).toBe(true);
      }

      // DataLoader batches: field, size, and whether the deadline cut them short.
      const batches = spans.filter((s) => s.name.startsWith('batch '));
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) {
        expect(b.attributes['dataloader.batch_size']).toBeGreaterThan(0);
        expect(b.attributes['deadline.hit']).toBe(false);
      }
      expect(batches.map((b) => b.attributes['graphql.field.path'])).toContain('Product.priceRange');

      // The client's baggage does not travel: no span anywhere carries it, and nothing failed.
      expect(JSON.stringify(spans)).not.toContain('from-the-client');
      expect(spans.filter((s) => s.statusCode === 2)).toEqual([]);
    });

    it('a placeOrder is one trace: the saga steps and their calls to cart and inventory, with SQL under each', async () => {
      const [variant] = await variantsInStock(graph, 1);
      const { token, cart } = await shopperWithCart(graph, 'traced', variant!, 1);
      const { traceId, parentId } = newTrace();
      const res = await graph.request<{ placeOrder: Result }>(
        OPS.placeOrder,
        { input: { idempotencyKey: randomUUID(), cartId: (cart as CartView).id, shippingAddress: ADDRESS } },
        { token, headers: { traceparent: `00-${traceId}-${parentId}-01` } },
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.placeOrder.__typename).toBe('Order');
      const spans = await traceOf(traceId, ['gateway', 'order', 'cart', 'inventory']);

      const [client] = serverSpanOf(spans, 'gateway');
      expect(client!.parentSpanId).toBe(parentId);
      expect(client!.attributes).toMatchObject({ 'graphql.operation.name': 'PlaceOrder', 'graphql.operation.type': 'mutation' });

      const steps = new Map(spans.filter((s) => s.attributes['saga.name'] === 'placeOrder').map((s) => [s.attributes['saga.step'], s]));
      expect([...steps.keys()]).toEqual(expect.arrayContaining(['quote', 'reserveStock', 'createOrder', 'completeCheckout']));
      const [order] = serverSpanOf(spans, 'order');
      for (const step of steps.values()) expect(ancestorsOf(spans, step)).toContain(order);

      // The saga's sibling calls carry the context: cart answers under the quote and completeCheckout
      // steps, inventory under reserveStock.
      const under = (service: string, step: string) => serverSpanOf(spans, service).some((s) => ancestorsOf(spans, s).includes(steps.get(step)!));
      expect(under('cart', 'quote')).toBe(true);
      expect(under('cart', 'completeCheckout')).toBe(true);
      expect(under('inventory', 'reserveStock')).toBe(true);

      for (const service of ['order', 'cart', 'inventory']) sqlUnder(spans, service);
      // The order is written in one transaction under its step; the idempotency key is claimed first.
      const writes = sqlUnder(spans, 'order').filter((s) => ancestorsOf(spans, s).includes(steps.get('createOrder')!));
      expect(writes.map((s) => s.attributes['db.operation'])).toEqual(expect.arrayContaining(['INSERT']));
    });

    it('a replayed placeOrder marks the replay on its trace', async () => {
      const [variant] = await variantsInStock(graph, 1);
      const { token, cart } = await shopperWithCart(graph, 'replayed', variant!, 1);
      const input = { idempotencyKey: randomUUID(), cartId: (cart as CartView).id, shippingAddress: ADDRESS };
      await mutateOk(graph, 'placeOrder', input, token);
      const { traceId, parentId } = newTrace();
      const res = await graph.request<{ placeOrder: Result }>(
        OPS.placeOrder,
        { input },
        { token, headers: { traceparent: `00-${traceId}-${parentId}-01` } },
      );
      expect(res.body.data!.placeOrder.__typename).toBe('Order');
      const spans = await traceOf(traceId, ['gateway', 'order']);
      expect(serverSpanOf(spans, 'order').flatMap((s) => s.events)).toContain('idempotency.replay');
    });
  });
}
