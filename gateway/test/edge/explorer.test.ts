import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplorer, type ExplorerOptions } from '../../src/edge/explorer.ts';
import { loadEnv } from '../../src/env.ts';

const SECRET = 'explorer-unit-test-secret-0123456789';
const dist = mkdtempSync(join(tmpdir(), 'explorer-dist-'));
const servers: Server[] = [];

/** The handler in front of a stand-in for the rest of the gateway, which answers 418. */
async function serve(options: ExplorerOptions): Promise<string> {
  const handle = createExplorer(options);
  const server = createServer((req, res) => {
    void handle(req, res, new URL(req.url ?? '/', 'http://localhost')).then((done) => done || res.writeHead(418).end('gateway'));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let withTokens: string;
let withoutTokens: string;
let unbuilt: string;
beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>explorer</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
  withTokens = await serve({ distDir: dist, devTokenSecret: SECRET });
  withoutTokens = await serve({ distDir: dist });
  unbuilt = await serve({ distDir: join(dist, 'missing') });
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the explorer edge handler', () => {
  it('answers a browser at GET /graphql with the page, and leaves GraphQL requests to the gateway', async () => {
    const page = await fetch(`${withTokens}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<title>explorer</title>');
    for (const request of [
      fetch(`${withTokens}/graphql`, { headers: { accept: 'application/json' } }),
      fetch(`${withTokens}/graphql?query=%7B__typename%7D`, { headers: { accept: 'text/html' } }),
      fetch(`${withTokens}/graphql`, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/json' }, body: '{}' }),
    ]) {
      expect((await request).status).toBe(418);
    }
  });

  it('serves the bundle under /explorer/, and 404 for what is not in it', async () => {
    const asset = await fetch(`${withTokens}/explorer/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${withTokens}/explorer/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${withTokens}/explorer/../../etc/passwd`)).status).not.toBe(200);
  });

  it('says how to build the explorer when it is not built', async () => {
    const res = await fetch(`${unbuilt}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build --workspace @ecom/explorer');
  });

  it('mints a development token for a user and role, and refuses a bad request with a clear error', async () => {
    const res = await fetch(`${withTokens}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'user-7', roles: ['admin'] }) });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET));
    expect(payload).toMatchObject({ sub: 'user-7', roles: ['admin'] });

    const bad = await fetch(`${withTokens}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'no spaces allowed', roles: ['Admin!'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/sub: .*roles\.0: /);
    expect((await fetch(`${withTokens}/dev/token`)).status).toBe(405);
  });

  it('has no token route without a development secret', async () => {
    const res = await fetch(`${withoutTokens}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'user-7' }) });
    expect(res.status).toBe(418);
  });
});

describe('explorer settings', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: 'a-production-jwt-secret-0123456789',
    GATEWAY_SIGNING_KEYS: 'gw-1:a-production-gateway-secret-0123',
  };

  it('serves the explorer and mints development tokens outside production', () => {
    expect(loadEnv({}).edge.explorer).toMatchObject({ devTokenSecret: expect.any(String) });
    expect(loadEnv({ EXPLORER: 'false' }).edge.explorer).toBeUndefined();
  });

  it('is off in production unless EXPLORER=true, and never mints tokens there', () => {
    expect(loadEnv(production).edge.explorer).toBeUndefined();
    const enabled = loadEnv({ ...production, EXPLORER: 'true' }).edge.explorer;
    expect(enabled?.distDir).toMatch(/clients\/explorer\/dist$/);
    expect(enabled?.devTokenSecret).toBeUndefined();
  });
});
