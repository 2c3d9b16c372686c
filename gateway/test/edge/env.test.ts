import { resolve } from 'node:path';
import { REPO_ROOT } from '@ecom/platform/env';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, loadEnv } from '../../src/env.ts';
import { DEFAULT_QUERY_LIMITS } from '../../src/plugins/query-limits.ts';

const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(32), GATEWAY_SIGNING_KEYS: `gw-1:${'b'.repeat(32)}` };

describe('edge settings from the environment', () => {
  it('has documented defaults', () => {
    expect(loadEnv({}).edge).toEqual({
      jwksUrl: undefined,
      tokenClaims: { issuer: undefined, audience: undefined },
      corsOrigins: [],
      rateLimit: { points: 600, windowSeconds: 60, clients: {}, checkoutPoints: 20 },
      safelistManifestPath: undefined,
      operationManifestPath: resolve(REPO_ROOT, 'schema/operations/manifest.json'),
      supergraphPollMs: 1_000,
      queryLimits: DEFAULT_QUERY_LIMITS,
      introspection: true,
      explorer: { distDir: resolve(REPO_ROOT, 'clients/explorer/dist'), devTokenSecret: DEV_JWT_SECRET },
    });
  });

  it('turns introspection off in production unless asked for', () => {
    expect(loadEnv(PRODUCTION).edge.introspection).toBe(false);
    expect(loadEnv({ ...PRODUCTION, INTROSPECTION: 'true' }).edge.introspection).toBe(true);
    expect(loadEnv({ INTROSPECTION: 'false' }).edge.introspection).toBe(false);
  });

  it('takes every override', () => {
    const edge = loadEnv({
      JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      CORS_ORIGINS: 'https://shop.example, https://admin.example',
      RATE_LIMIT_POINTS: '100',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_CLIENTS: 'web=5000, ios = 2000',
      RATE_LIMIT_CHECKOUT_POINTS: '7',
      SAFELIST: 'true',
      SUPERGRAPH_POLL_MS: '0',
      QUERY_MAX_DEPTH: '8',
      QUERY_MAX_COST: '20000',
    }).edge;
    expect(edge).toMatchObject({
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      corsOrigins: ['https://shop.example', 'https://admin.example'],
      rateLimit: { points: 100, windowSeconds: 10, clients: { web: 5000, ios: 2000 }, checkoutPoints: 7 },
      safelistManifestPath: resolve(REPO_ROOT, 'schema/operations/manifest.json'),
      supergraphPollMs: 0,
      queryLimits: { ...DEFAULT_QUERY_LIMITS, depth: 8, cost: 20_000 },
    });
    expect(loadEnv({ RATE_LIMIT_POINTS: '0' }).edge.rateLimit).toBeUndefined();
  });

  it('takes the token claims to check, and requires them in production with a JWKS', () => {
    expect(loadEnv({ JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'ecom' }).edge.tokenClaims).toEqual({
      issuer: 'https://idp.example',
      audience: 'ecom',
    });
    expect(() => loadEnv({ ...PRODUCTION, JWKS_URL: 'https://idp.example/jwks.json' })).toThrow(/JWT_ISSUER \/ JWT_AUDIENCE: required in production/);
    expect(
      loadEnv({ ...PRODUCTION, JWKS_URL: 'https://idp.example/jwks.json', JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'ecom' }).edge.jwksUrl,
    ).toBe('https://idp.example/jwks.json');
  });

  it('refuses weak or documented development secrets in production', () => {
    expect(() => loadEnv({ ...PRODUCTION, JWT_SECRET: 'sixteen-chars-xx' })).toThrow(/JWT_SECRET: at least 32/);
    expect(() => loadEnv({ ...PRODUCTION, JWT_SECRET: 'dev-only-jwt-secret-change-me' })).toThrow(/JWT_SECRET/);
    expect(() => loadEnv({ ...PRODUCTION, GATEWAY_SIGNING_KEYS: 'gw-1:sixteen-chars-xx' })).toThrow(/GATEWAY_SIGNING_KEYS \(gw-1\): at least 32/);
    expect(() => loadEnv({ ...PRODUCTION, GATEWAY_SIGNING_KEYS: 'dev:dev-only-gateway-signing-key' })).toThrow(
      /GATEWAY_SIGNING_KEYS \(dev\): the documented/,
    );
    expect(() => loadEnv({ ...PRODUCTION, GATEWAY_SIGNING_KEYS: 'b'.repeat(32) })).toThrow(/GATEWAY_SIGNING_KEYS: expected kid:secret/);
    expect(loadEnv(PRODUCTION).nodeEnv).toBe('production');
  });

  it('lists every bad edge setting at once', () => {
    expect(() =>
      loadEnv({
        JWKS_URL: 'not a url',
        RATE_LIMIT_CLIENTS: 'web',
        QUERY_MAX_DEPTH: '0',
        SAFELIST: 'true',
        OPERATION_MANIFEST_PATH: 'schema/nowhere.json',
      }),
    ).toThrow(/JWKS_URL[\s\S]*RATE_LIMIT_CLIENTS[\s\S]*QUERY_MAX_DEPTH[\s\S]*OPERATION_MANIFEST_PATH/);
  });
});
