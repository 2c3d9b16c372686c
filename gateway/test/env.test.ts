import { devKeyRing, REPO_ROOT } from '@ecom/platform/env';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, loadEnv } from '../src/env.ts';

describe('gateway environment', () => {
  it('runs on documented defaults in development', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      nodeEnv: 'development',
      port: 4000,
      jwtSecret: DEV_JWT_SECRET,
      signer: { caller: 'gateway', key: devKeyRing('gateway')[0] },
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      requestTimeoutMs: 10_000,
    });
    expect(env.subgraphUrls.inventory).toBe('http://127.0.0.1:4003/graphql');
  });

  it('takes SUBGRAPH_URL_<NAME> overrides', () => {
    const env = loadEnv({ SUBGRAPH_URL_INVENTORY: 'http://127.0.0.1:5003/graphql' });
    expect(env.subgraphUrls.inventory).toBe('http://127.0.0.1:5003/graphql');
    expect(env.subgraphUrls.product).toBe('http://127.0.0.1:4001/graphql');
  });

  it('gives reads no queue by default, and each queue an expected-wait bound that follows its queue time', () => {
    expect(loadEnv({}).admission).toMatchObject({
      queueWaitMs: { read: 0, mutation: 100, checkout: 500 },
      expectedWaitMs: { read: 0, mutation: 100, checkout: 500 },
    });
    // A read queue, when an operator turns one on, is joined only by reads expected to start soon.
    expect(loadEnv({ ADMISSION_QUEUE_READ_MS: '250', ADMISSION_QUEUE_MUTATION_MS: '2000' }).admission).toMatchObject({
      queueWaitMs: { read: 250, mutation: 2_000, checkout: 500 },
      expectedWaitMs: { read: 25, mutation: 2_000, checkout: 500 },
    });
    expect(() => loadEnv({ ADMISSION_QUEUE_READ_MS: '-1' })).toThrow(/ADMISSION_QUEUE_READ_MS/);
  });

  it('lists every problem at once', () => {
    expect(() => loadEnv({ PORT: 'abc', JWT_SECRET: 'short', REQUEST_TIMEOUT_MS: '-1', SUBGRAPH_URL_CART: 'not a url' })).toThrow(
      /PORT[\s\S]*JWT_SECRET[\s\S]*REQUEST_TIMEOUT_MS[\s\S]*SUBGRAPH_URL_CART/,
    );
  });

  it('refuses to run in production on the development secrets', () => {
    let message = '';
    try {
      loadEnv({ NODE_ENV: 'production' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('JWT_SECRET: required in production');
    expect(message).toContain('GATEWAY_SIGNING_KEYS: required in production');
    const env = loadEnv({
      NODE_ENV: 'production',
      JWT_SECRET: 'a'.repeat(32),
      GATEWAY_SIGNING_KEYS: `gw-2:${'b'.repeat(32)},gw-1:${'c'.repeat(32)}`,
    });
    expect(env.jwtSecret).toBe('a'.repeat(32));
    // The first key listed signs; the second is still accepted by subgraphs during a rotation.
    expect(env.signer).toEqual({ caller: 'gateway', key: { kid: 'gw-2', secret: 'b'.repeat(32) } });
  });
});
