import { createLogger } from '@ecom/platform/logger';
import { startTestSubgraph, testCredentials } from '@ecom/platform/testing';
import { productSubgraph } from '@ecom/product/server';
import { readPublishedSupergraph } from '@ecom/schema/compose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../src/env.ts';
import { BODY_LIMIT_BYTES } from '../../src/edge/query-limit-refusal.ts';
import { createGateway, type Gateway } from '../../src/server.ts';
import { uploadOversized } from '../support/oversized-upload.ts';

// The body is refused before any subgraph is asked: the gateway alone, its subgraphs unreachable.
let gateway: Gateway;
let url: string;
let product: { url: string; dispose(): Promise<void> };
beforeAll(async () => {
  // The subgraphs read bodies through the same host (platform/http-host.ts): one of them, alone.
  product = await startTestSubgraph(productSubgraph);
  gateway = createGateway({
    supergraphSdl: readPublishedSupergraph(),
    signer: testCredentials('gateway').signer!,
    jwtSecret: DEV_JWT_SECRET,
    logger: createLogger('gateway', 'silent'),
    subgraphUrls: {},
  });
  ({ url } = await gateway.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  await gateway?.stop();
  await product?.dispose();
});

const TOTAL = 256 * 1024 * 1024;
expect(BODY_LIMIT_BYTES).toBeLessThan(TOTAL / 100);

describe('a body streamed past the cap', () => {
  it.each([
    { host: 'gateway', framing: 'chunked (no declared length)', declareLength: false },
    { host: 'gateway', framing: 'with a declared length over the cap', declareLength: true },
    { host: 'subgraph', framing: 'chunked (no declared length)', declareLength: false },
  ])('$host, $framing: 413, and the connection is closed instead of read to the end', async ({ host, declareLength }) => {
    const outcome = await uploadOversized(host === 'gateway' ? url : product.url, TOTAL, { declareLength });
    expect(outcome.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(outcome.closedEarly).toBe(true);
    // Kernel buffers take some of what the client sends after the cap; nowhere near the 256 MB.
    expect(outcome.bytesSent).toBeLessThan(64 * 1024 * 1024);
    expect(outcome.elapsedMs).toBeLessThan(10_000);
  });
});
