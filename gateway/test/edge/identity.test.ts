import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, signHeaders, TIMESTAMP_HEADER, type Signer } from '@ecom/platform/gateway-credential';
import { CALLERS_OF } from '@ecom/platform/subgraph-names';
import { CALLER_NAMES, devKeyRing, SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { randomUUID } from 'node:crypto';
import { demoProducts } from '@ecom/platform/demo-catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/edge/auth.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import {
  ADDRESS,
  mutate,
  mutateOk,
  OPS,
  readCart,
  readOrder,
  variantsInStock,
  type CartView,
  type OrderView,
  type Result,
} from '../mutations/shopper.ts';
import { codeOf, extraGateway, post, type ExtraGateway } from './support.ts';

let graph: Graph;
let variants: string[];
beforeAll(async () => {
  graph = await startGraph();
  variants = await variantsInStock(graph, 10);
  stranger = (await generateKeyPair('RS256')).privateKey;
});
afterAll(async () => {
  await graph?.stop();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const secretKey = () => new TextEncoder().encode(graph.jwtSecret);
const rs256 = (key: CryptoKey, sub: string, kid = 'k1') =>
  new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'RS256', kid }).setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(key);

let stranger: CryptoKey;

/** Every way a token can be wrong; each is refused with 401 before anything runs. */
const BAD_TOKENS: [string, (sub: string) => Promise<string>][] = [
  ['malformed', async () => 'not-a-jwt'],
  ['with a bad signature', (sub) => mintToken('another-secret-of-enough-length', sub)],
  [
    'expired',
    (sub) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(secretKey()),
  ],
  ['unsigned (alg none)', async (sub) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}.`],
  [
    'signed HS512 with the right secret',
    (sub) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(sub)
        .sign(new TextEncoder().encode(graph.jwtSecret.padEnd(64, 'x'))),
  ],
  ['signed RS256 with a key nobody published', (sub) => rs256(stranger, sub)],
  [
    'without exp (it would never expire)',
    (sub) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().sign(secretKey()),
  ],
  [
    'expired beyond the 30 s clock tolerance',
    (sub) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 45)
        .sign(secretKey()),
  ],
];

describe('tokens, through the gateway', () => {
  let owner: { sub: string; token: string; cart: CartView };
  beforeAll(async () => {
    const sub = `owner-${randomUUID().slice(0, 8)}`;
    const token = await graph.token(sub);
    owner = { sub, token, cart: await mutateOk<CartView & Result>(graph, 'addToCart', { variantId: variants[0], quantity: 2 }, token) };
  });

  it("no token: anonymous, and an anonymous caller cannot touch a signed-in user's cart", async () => {
    const res = await graph.request<{ cart: unknown }>(OPS.cart, { id: owner.cart.id });
    expect(res.status).toBe(200);
    expect(res.body.data!.cart).toBeNull();
    const line = owner.cart.lines[0]!;
    const update = await mutate(graph, 'updateCartLine', {
      cartId: owner.cart.id,
      lineId: line.id,
      quantity: 9,
      expectedVersion: owner.cart.version,
    });
    expect(update).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await readCart(graph, owner.cart.id, owner.token)).toMatchObject({ version: owner.cart.version, lines: [{ quantity: 2 }] });
  });

  it.each(BAD_TOKENS)('a token %s is refused with 401 UNAUTHENTICATED and changes nothing', async (name, make) => {
    const token = await make(owner.sub);
    const line = owner.cart.lines[0]!;
    const input = { cartId: owner.cart.id, lineId: line.id, quantity: 7, expectedVersion: owner.cart.version, idempotencyKey: randomUUID() };
    const res = await graph.request(OPS.updateCartLine, { input }, { token });
    expect(res.status, name).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions, name).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(await readCart(graph, owner.cart.id, owner.token)).toMatchObject({ version: owner.cart.version, lines: [{ quantity: 2 }] });
  });

  it("another user's cart: null to read, NotFoundError to change, and it stays as it was", async () => {
    const other = await graph.token(`other-${randomUUID().slice(0, 8)}`);
    const read = await graph.request<{ cart: unknown }>(OPS.cart, { id: owner.cart.id }, { token: other });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.cart).toBeNull();

    const line = owner.cart.lines[0]!;
    const attempts: [keyof typeof OPS, Record<string, unknown>][] = [
      ['updateCartLine', { cartId: owner.cart.id, lineId: line.id, quantity: 5, expectedVersion: owner.cart.version }],
      ['removeCartLine', { cartId: owner.cart.id, lineId: line.id, expectedVersion: owner.cart.version }],
      ['applyCoupon', { cartId: owner.cart.id, code: 'WELCOME10' }],
      ['addToCart', { cartId: owner.cart.id, variantId: variants[1], quantity: 1 }],
      ['placeOrder', { cartId: owner.cart.id, shippingAddress: ADDRESS }],
    ];
    for (const [op, input] of attempts) {
      expect(await mutate(graph, op, input, other), op).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', retryable: false });
    }
    const after = await readCart(graph, owner.cart.id, owner.token);
    expect(after).toMatchObject({ version: owner.cart.version, lines: [{ id: line.id, quantity: 2 }] });
    expect(after!.lines).toHaveLength(1);
    expect(after!.cost).toEqual(owner.cart.cost);
  });

  it("another user's order: null to read, absent from their list, NotFoundError to pay or cancel, and unchanged", async () => {
    const sub = `buyer-${randomUUID().slice(0, 8)}`;
    const buyer = await graph.token(sub);
    const cart = await mutateOk<CartView & Result>(graph, 'addToCart', { variantId: variants[2], quantity: 1 }, buyer);
    const order = await mutateOk<OrderView & Result>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, buyer);
    const other = await graph.token(`snoop-${randomUUID().slice(0, 8)}`);

    const read = await graph.request<{ order: unknown }>(OPS.order, { id: order.id }, { token: other });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.order).toBeNull();
    const list = await graph.request<{ myOrders: { edges: { node: { id: string } }[] } }>(OPS.myOrders, { first: 100 }, { token: other });
    expect(list.body.data!.myOrders.edges.map((e) => e.node.id)).not.toContain(order.id);

    expect(await mutate(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, other)).toMatchObject({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
    expect(await mutate(graph, 'cancelOrder', { orderId: order.id, reason: 'not mine' }, other)).toMatchObject({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
    const denied = await graph.request(
      OPS.payOrder,
      { input: { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: randomUUID() } },
      { token: await mintToken('another-secret-of-enough-length', sub) },
    );
    expect(denied.status).toBe(401);

    expect(await readOrder(graph, order.id, buyer)).toMatchObject({ id: order.id, status: 'PENDING_PAYMENT', cost: order.cost });
  });
});

describe('RS256 tokens from a JWKS', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  let issuer: CryptoKey;
  let withJwks: ExtraGateway;
  let jwksDown: ExtraGateway;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    issuer = pair.privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
    jwksServer = createServer((_req, res) => {
      jwksRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(jwks);
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    withJwks = await extraGateway(graph, { jwksUrl });
    jwksDown = await extraGateway(graph, { jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json' });
  });
  afterAll(async () => {
    await withJwks?.stop();
    await jwksDown?.stop();
    await new Promise((r) => jwksServer?.close(r));
  });

  it('accepts a token signed by a published key; an HS256 token naming the same subject is another user', async () => {
    const sub = `idp-${randomUUID().slice(0, 8)}`;
    const added = await post<{ addToCart: CartView & Result }>(
      withJwks.url,
      { query: OPS.addToCart, variables: { input: { variantId: variants[3], quantity: 1, idempotencyKey: randomUUID() } } },
      { authorization: `Bearer ${await rs256(issuer, sub)}` },
    );
    expect(added.body.errors, added.text).toBeUndefined();
    const cart = added.body.data!.addToCart;
    expect(cart.__typename).toBe('Cart');
    expect(jwksRequests).toBeGreaterThan(0);
    // The cart belongs to the provider's `sub`: readable with its RS256 token, by no one else, and
    // not by an HS256 token naming the same subject (whoever holds JWT_SECRET cannot mint a provider user).
    const rs = await post(withJwks.url, { query: OPS.cart, variables: { id: cart.id } }, { authorization: `Bearer ${await rs256(issuer, sub)}` });
    expect(rs.body.data).toMatchObject({ cart: { id: cart.id } });
    const other = await post(
      withJwks.url,
      { query: OPS.cart, variables: { id: cart.id } },
      { authorization: `Bearer ${await rs256(issuer, `${sub}-other`)}` },
    );
    expect(other.body.data).toMatchObject({ cart: null });
    const hs = await post(withJwks.url, { query: OPS.cart, variables: { id: cart.id } }, { authorization: `Bearer ${await graph.token(sub)}` });
    expect(hs.status).toBe(200);
    expect(hs.body.data).toMatchObject({ cart: null });
    // Nor can a provider subject claim the local namespace.
    const posing = await post(withJwks.url, { query: '{ categories { id } }' }, { authorization: `Bearer ${await rs256(issuer, `local:${sub}`)}` });
    expect(posing.status).toBe(401);
  });

  it('refuses RS256 signed with an unknown key or an unknown kid, and RS256 where no JWKS is configured', async () => {
    for (const token of [await rs256(stranger, 'u1'), await rs256(stranger, 'u1', 'nope'), await rs256(issuer, 'u1', 'nope')]) {
      const res = await post(withJwks.url, { query: '{ categories { id } }' }, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
    }
    const noJwks = await graph.request('{ categories { id } }', {}, { token: await rs256(issuer, 'u1') });
    expect(noJwks.status).toBe(401);
    expect(noJwks.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers 503 SERVICE_UNAVAILABLE (not a sign-out) when the JWKS cannot be fetched; HS256 still works', async () => {
    const res = await post(jwksDown.url, { query: '{ categories { id } }' }, { authorization: `Bearer ${await rs256(issuer, 'u1')}` });
    expect(res.status).toBe(503);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    const hs = await post(jwksDown.url, { query: '{ categories { id } }' }, { authorization: `Bearer ${await graph.token('u1')}` });
    expect(hs.status).toBe(200);
    expect(hs.body.errors).toBeUndefined();
  });
});

describe('token claims', () => {
  const claims = { issuer: 'https://idp.example', audience: 'ecom-graph' };
  let strict: ExtraGateway;
  beforeAll(async () => {
    strict = await extraGateway(graph, { tokenClaims: claims });
  });
  afterAll(async () => {
    await strict?.stop();
  });
  const ask = (url: string, token: string) => post(url, { query: '{ categories { id } }' }, { authorization: `Bearer ${token}` });
  const hs256 = (fields: { iss?: string; aud?: string; expOffset: number }) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-claims')
      .setExpirationTime(Math.floor(Date.now() / 1000) + fields.expOffset);
    if (fields.iss) jwt.setIssuer(fields.iss);
    if (fields.aud) jwt.setAudience(fields.aud);
    return jwt.sign(secretKey());
  };

  it('accepts a token that expired less than the 30 s clock tolerance ago', async () => {
    const res = await ask(graph.url, await hs256({ expOffset: -10 }));
    expect(res.status, res.text).toBe(200);
  });

  it('with JWT_ISSUER / JWT_AUDIENCE set, refuses a token without them or with others', async () => {
    for (const [what, token] of [
      ['no iss or aud', await hs256({ expOffset: 600 })],
      ['another issuer', await hs256({ iss: 'https://evil.example', aud: claims.audience, expOffset: 600 })],
      ['another audience', await hs256({ iss: claims.issuer, aud: 'another-service', expOffset: 600 })],
      ['no audience', await hs256({ iss: claims.issuer, expOffset: 600 })],
    ] as const) {
      const res = await ask(strict.url, token);
      expect(res.status, what).toBe(401);
      expect(codeOf(res), what).toBe('UNAUTHENTICATED');
    }
    const ok = await ask(strict.url, await mintToken(graph.jwtSecret, 'user-claims', [], '1h', claims));
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.errors).toBeUndefined();
  });
});

describe('subgraphs accept only the gateway', () => {
  const NORMAL: Record<SubgraphName, string> = {
    product: '{ categories { id } }',
    pricing: '{ priceQuote(lines: []) { missingVariantIds } }',
    inventory: `{ stockLevel(variantId: "${demoProducts()[0]!.variants[0]!.id}") { available } }`,
    cart: '{ cart(id: "cart-unknown") { id } }',
    order: '{ order(id: "ord-unknown") { id } }',
    marketing: '{ promotions { id } }',
  };
  const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
  const SERVICE = '{ _service { sdl } }';

  const direct = async (name: SubgraphName, body: string, headers: Record<string, string>) => {
    const res = await fetch(graph.subgraphs[name].url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };
  const expectRefused = (res: Awaited<ReturnType<typeof direct>>, what: string) => {
    expect(res.status, what).toBe(401);
    expect(res.body.data, what).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code, what).toBe('UNAUTHENTICATED');
  };
  const GATEWAY: Signer = { caller: 'gateway', key: devKeyRing('gateway')[0]! };
  const signed = (
    target: SubgraphName,
    body: string,
    fields: { userId?: string | null; roles?: string[] } = {},
    now = Date.now(),
    signer: Signer = GATEWAY,
  ) =>
    signHeaders(
      signer,
      { method: 'POST', path: '/graphql', target },
      { requestId: randomUUID(), userId: fields.userId ?? null, roles: fields.roles ?? [], deadlineMs: '5000', body },
      now,
    );

  it.each(SUBGRAPH_NAMES.map((n) => [n] as const))('%s refuses every unsigned, forged, tampered or stale request', async (name) => {
    const queries = {
      normal: JSON.stringify({ query: NORMAL[name] }),
      _entities: JSON.stringify({ query: ENTITIES, variables: { r: [{ __typename: 'Product', id: 'prod-001' }] } }),
      _service: JSON.stringify({ query: SERVICE }),
    };
    for (const [what, body] of Object.entries(queries)) {
      expectRefused(await direct(name, body, {}), `${name} ${what} without a credential`);
      expectRefused(await direct(name, body, { 'x-user-id': 'victim', 'x-user-roles': 'admin' }), `${name} ${what} with forged identity headers`);
      expectRefused(
        await direct(name, body, { 'x-user-id': 'victim', [SIGNATURE_HEADER]: 'A'.repeat(43), [TIMESTAMP_HEADER]: String(Date.now()) }),
        `${name} ${what} with a made-up signature`,
      );
      expectRefused(
        await direct(
          name,
          body,
          signed(name, body, {}, Date.now(), { caller: 'gateway', key: { kid: 'dev', secret: 'some-other-secret-entirely' } }),
        ),
        `${name} ${what} signed with another secret`,
      );
      const elsewhere = SUBGRAPH_NAMES.find((n) => n !== name)!;
      expectRefused(await direct(name, body, signed(elsewhere, body)), `${name} ${what} signed for ${elsewhere}`);
      for (const caller of CALLER_NAMES.filter((c) => !CALLERS_OF[name].includes(c))) {
        expectRefused(
          await direct(name, body, signed(name, body, {}, Date.now(), { caller, key: devKeyRing(caller)[0]! })),
          `${name} ${what} signed by ${caller}, which never calls it`,
        );
      }
    }

    const body = queries.normal;
    // The control: the very same request, signed by the gateway's secret, is served.
    const ok = await direct(name, body, signed(name, body, { userId: 'user-1' }));
    expect(ok.status, `${name} signed`).toBe(200);
    expect(ok.body.errors, `${name} signed`).toBeUndefined();

    const asUser = signed(name, body, { userId: 'user-1' });
    expectRefused(await direct(name, JSON.stringify({ query: NORMAL[name], variables: { x: 1 } }), asUser), `${name} tampered body`);
    expectRefused(await direct(name, body, { ...asUser, 'x-user-id': 'user-2' }), `${name} tampered user`);
    expectRefused(await direct(name, body, { ...asUser, 'x-user-roles': 'admin' }), `${name} roles added`);
    expectRefused(await direct(name, body, { ...asUser, 'x-request-id': 'another-request' }), `${name} tampered request id`);
    expectRefused(await direct(name, body, signed(name, body, { userId: 'user-1' }, Date.now() - 61_000)), `${name} stale timestamp`);
    expectRefused(await direct(name, body, signed(name, body, { userId: 'user-1' }, Date.now() + 61_000)), `${name} timestamp from the future`);
  });
});
