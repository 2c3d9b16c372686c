import { createHash, createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialsFrom, devKeyRing } from '../src/env.ts';
import {
  CALLER_HEADER,
  KEY_ID_HEADER,
  NONCE_HEADER,
  SIGNATURE_HEADER,
  signHeaders,
  TIMESTAMP_HEADER,
  verifySignature,
  type Signer,
  type SigningKey,
  type TrustedCallers,
} from '../src/gateway-credential.ts';
import { createReplayGuard } from '../src/replay-guard.ts';

const key = (kid: string): SigningKey => ({ kid, secret: `${kid}-a-test-secret-of-at-least-32-bytes` });
const GATEWAY: Signer = { caller: 'gateway', key: key('gw-2') };
const CART: Signer = { caller: 'cart', key: key('cart-1') };
const ORDER: Signer = { caller: 'order', key: key('order-1') };
/** Inventory's view: the gateway's two keys during a rotation, cart's and order's. */
const TRUSTED: TrustedCallers = { gateway: [key('gw-2'), key('gw-1')], cart: [CART.key], order: [ORDER.key] };
const TO_INVENTORY = { method: 'POST', path: '/graphql', target: 'inventory' };
const fields = { requestId: randomUUID(), userId: 'user-1', roles: [], deadlineMs: '5000', body: '{"query":"{ x }"}' };

const verify = (headers: Record<string, string>, request = TO_INVENTORY, trusted = TRUSTED, now = Date.now()) =>
  verifySignature(trusted, request, headers, fields.body, now);

describe('request credential', () => {
  it('accepts a fresh signature and knows who made it; refuses a stale one', () => {
    const now = Date.now();
    expect(verify(signHeaders(GATEWAY, TO_INVENTORY, fields, now), TO_INVENTORY, TRUSTED, now)).toMatchObject({ caller: 'gateway' });
    expect(verify(signHeaders(ORDER, TO_INVENTORY, fields, now), TO_INVENTORY, TRUSTED, now)).toMatchObject({ caller: 'order' });
    expect(verify(signHeaders(GATEWAY, TO_INVENTORY, fields, now - 61_000), TO_INVENTORY, TRUSTED, now)).toBeUndefined();
  });

  it('refuses a request signed for another subgraph, method or path', () => {
    const forPricing = signHeaders(GATEWAY, { ...TO_INVENTORY, target: 'pricing' }, fields);
    expect(verify(forPricing, { ...TO_INVENTORY, target: 'pricing' })).toMatchObject({ caller: 'gateway' });
    expect(verify(forPricing)).toBeUndefined();
    const signed = signHeaders(GATEWAY, TO_INVENTORY, fields);
    expect(verify(signed, { ...TO_INVENTORY, method: 'GET' })).toBeUndefined();
    expect(verify(signed, { ...TO_INVENTORY, path: '/graphql?x=1' })).toBeUndefined();
    expect(verify(signed, { ...TO_INVENTORY, path: '/other' })).toBeUndefined();
  });

  it('refuses a caller posing as another, and a caller the subgraph does not trust', () => {
    const byCart = signHeaders(CART, TO_INVENTORY, fields);
    expect(verify({ ...byCart, [CALLER_HEADER]: 'order' })).toBeUndefined();
    expect(verify({ ...byCart, [CALLER_HEADER]: 'order', [KEY_ID_HEADER]: ORDER.key.kid })).toBeUndefined();
    // Pricing trusts the gateway and cart, not order: order's own valid signature is refused there.
    const toPricing = { ...TO_INVENTORY, target: 'pricing' };
    expect(verify(signHeaders(ORDER, toPricing, fields), toPricing, { gateway: TRUSTED.gateway, cart: TRUSTED.cart })).toBeUndefined();
    expect(verify({ ...byCart, [CALLER_HEADER]: 'toString' })).toBeUndefined();
  });

  it('rotates keys: a key listed second still verifies, a removed or unknown one fails', () => {
    const byOldKey = signHeaders({ caller: 'gateway', key: key('gw-1') }, TO_INVENTORY, fields);
    expect(verify(byOldKey)).toMatchObject({ caller: 'gateway' });
    expect(verify(byOldKey, TO_INVENTORY, { ...TRUSTED, gateway: [key('gw-2')] })).toBeUndefined();
    expect(verify(signHeaders({ caller: 'gateway', key: key('gw-9') }, TO_INVENTORY, fields))).toBeUndefined();
    // The right key id with another secret behind it.
    expect(verify(signHeaders({ caller: 'gateway', key: { kid: 'gw-2', secret: 'x'.repeat(40) } }, TO_INVENTORY, fields))).toBeUndefined();
  });

  it('refuses tampered identity, body or nonce', () => {
    const signed = signHeaders(GATEWAY, TO_INVENTORY, fields);
    expect(verify({ ...signed, 'x-user-id': 'user-2' })).toBeUndefined();
    expect(verify({ ...signed, 'x-user-roles': 'admin' })).toBeUndefined();
    expect(verify({ ...signed, [NONCE_HEADER]: randomUUID() })).toBeUndefined();
    expect(verifySignature(TRUSTED, TO_INVENTORY, signed, '{"query":"{ y }"}')).toBeUndefined();
  });

  it('refuses a validly signed request whose timestamp is not a number (the freshness check cannot be skipped)', () => {
    for (const timestamp of ['NaN', 'soon', '1e13', '', ' 1', '-5']) {
      const headers = { ...signHeaders(GATEWAY, TO_INVENTORY, fields) };
      // Signed with the right key over the odd timestamp: the check must not depend on the signer being sane.
      const payload = JSON.stringify([
        'ecom-request-v2',
        'gateway',
        GATEWAY.key.kid,
        timestamp,
        headers[NONCE_HEADER],
        'POST',
        '/graphql',
        'inventory',
        fields.requestId,
        fields.userId,
        '',
        fields.deadlineMs,
        createHash('sha256').update(fields.body).digest('hex'),
      ]);
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = createHmac('sha256', GATEWAY.key.secret).update(payload).digest('base64url');
      expect(verify(headers), timestamp).toBeUndefined();
    }
    // NaN through the signer itself: String(NaN) is what a buggy caller would send.
    expect(verify(signHeaders(GATEWAY, TO_INVENTORY, fields, Number.NaN))).toBeUndefined();
  });

  it('lets each nonce through once', () => {
    const guard = createReplayGuard();
    const signature = verify(signHeaders(GATEWAY, TO_INVENTORY, fields))!;
    expect(guard.firstUse(signature)).toBe(true);
    expect(guard.firstUse(signature)).toBe(false);
    expect(guard.firstUse(verify(signHeaders(GATEWAY, TO_INVENTORY, fields))!)).toBe(true);
  });
});

describe('signing keys from the environment', () => {
  it('works with no configuration outside production: each caller its own development key', () => {
    const inventory = credentialsFrom({ NODE_ENV: 'development' }, 'inventory');
    expect(inventory.signer).toBeUndefined();
    expect(inventory.trusted).toEqual({ gateway: devKeyRing('gateway'), cart: devKeyRing('cart'), order: devKeyRing('order') });
    const order = credentialsFrom({ NODE_ENV: 'development' }, 'order');
    expect(order.signer).toEqual({ caller: 'order', key: devKeyRing('order')[0] });
    // Order is called by the gateway alone: it holds no sibling's key.
    expect(Object.keys(order.trusted)).toEqual(['gateway']);
    expect(credentialsFrom({ NODE_ENV: 'development' }, 'gateway')).toEqual({
      signer: { caller: 'gateway', key: devKeyRing('gateway')[0] },
      trusted: {},
    });
  });

  it('signs with the first listed key and verifies with every one', () => {
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const c = 'c'.repeat(32);
    const env = { NODE_ENV: 'production' as const, GATEWAY_SIGNING_KEYS: `k2:${a}, k1:${b}`, CART_SIGNING_KEYS: `c1:${c}` };
    // Inventory is called by order as well, whose keys are not set here: production refuses.
    expect(() => credentialsFrom(env, 'inventory')).toThrow(/ORDER_SIGNING_KEYS: required in production/);
    const pricing = credentialsFrom(env, 'pricing');
    expect(pricing.trusted.gateway).toEqual([
      { kid: 'k2', secret: a },
      { kid: 'k1', secret: b },
    ]);
    expect(credentialsFrom(env, 'gateway').signer).toEqual({ caller: 'gateway', key: { kid: 'k2', secret: a } });
  });

  it('refuses in production a missing, short or development key, and a key id listed twice', () => {
    const message = (env: Record<string, string>) => {
      try {
        credentialsFrom({ NODE_ENV: 'production', ...env }, 'inventory');
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const all = message({ GATEWAY_SIGNING_KEYS: `k1:${'x'.repeat(20)}`, CART_SIGNING_KEYS: 'dev:dev-only-cart-signing-key' });
    expect(all).toContain('GATEWAY_SIGNING_KEYS (k1): at least 32');
    expect(all).toContain('CART_SIGNING_KEYS (dev): the documented development default');
    expect(all).toContain('ORDER_SIGNING_KEYS: required in production');
    expect(message({ GATEWAY_SIGNING_KEYS: `k1:${'x'.repeat(32)},k1:${'y'.repeat(32)}` })).toContain(
      'GATEWAY_SIGNING_KEYS: a key id is listed twice',
    );
  });
});
