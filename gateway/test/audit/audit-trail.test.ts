import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@ecom/platform/env';
import { auditLogTable, type AuditRow } from '@ecom/platform/audit';
import { eq, sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import { ADDRESS, OPS, stockOf, variantsInStock, type Result } from '../mutations/shopper.ts';

/**
 * The audit trail end to end: every contract mutation sent through the gateway leaves exactly one
 * row (found by the request id the test sends), refusals and replays included, and an admin reads
 * it back through the graph with the registered back-office operation.
 */
const AUDIT_TRAIL = readFileSync(resolve(REPO_ROOT, 'schema/operations/backoffice/AuditTrail.graphql'), 'utf8');
const tables = { cart: auditLogTable(pgSchema('cart')), inventory: auditLogTable(pgSchema('inventory')), order: auditLogTable(pgSchema('order')) };
type Service = keyof typeof tables;

let graph: Graph;
let variants: string[];
let admin: string;

beforeAll(async () => {
  graph = await startGraph();
  variants = await variantsInStock(graph, 50);
  admin = await graph.token('audit-admin', ['admin']);
});
afterAll(() => graph?.stop());

interface Sent {
  requestId: string;
  result: Result;
}

/** One registered mutation under a request id of our own, so its rows can be found. */
async function send(op: keyof typeof OPS, input: Record<string, unknown>, token?: string, key: string = randomUUID()): Promise<Sent> {
  const requestId = `audit-${randomUUID()}`;
  const res = await graph.request<Record<string, Result>>(
    OPS[op],
    { input: { idempotencyKey: key, ...input } },
    { token, headers: { 'x-request-id': requestId } },
  );
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return { requestId, result: Object.values(res.body.data!)[0]! };
}

async function rowsOf(service: Service, requestId: string): Promise<AuditRow[]> {
  const db = graph.subgraphs[service].deps.db;
  return db.select().from(tables[service]).where(eq(tables[service].requestId, requestId));
}

/** The one row a request left in `service` for `action`, after checking it is the only one. */
async function onlyRow(service: Service, requestId: string, action: string): Promise<AuditRow> {
  const rows = (await rowsOf(service, requestId)).filter((r) => r.action === action);
  expect(rows, `${service}.${action} rows for ${requestId}`).toHaveLength(1);
  return rows[0]!;
}

interface TrailPage {
  __typename: string;
  code?: string;
  entries: {
    action: string;
    actor: string;
    targets: string[];
    result: string;
    code: string | null;
    replay: boolean;
    service: string;
    at: string;
    requestId: string;
  }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function trail(filter: Record<string, unknown>, token: string, first = 100, after?: string | null): Promise<TrailPage> {
  const res = await graph.request<{ auditTrail: TrailPage }>(AUDIT_TRAIL, { filter, first, after }, { token });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.auditTrail;
}

describe('the audit trail', () => {
  const user = `audit-shopper-${randomUUID().slice(0, 8)}`;
  let token: string;
  let orderId: string;
  const started = new Date(Date.now() - 1_000);

  it('records each contract mutation exactly once, with actor, targets, result, key and request id', async () => {
    token = await graph.token(user);
    const [a, b] = [variants[0]!, variants[1]!];

    const anonymous = await send('addToCart', { variantId: a, quantity: 1 });
    const anonymousRow = await onlyRow('cart', anonymous.requestId, 'addToCart');
    const cartId = String(anonymous.result.id);
    expect(anonymousRow).toMatchObject({ actor: 'anonymous', result: 'Cart', code: null, replay: false });
    // The anonymous cart's id is a credential: neither it nor the key (which replays it) is stored.
    expect(JSON.stringify(anonymousRow)).not.toContain(cartId);
    expect(anonymousRow.idempotencyKey).toMatch(/^#/);
    expect(anonymousRow.targets).toContain(`Variant:${a}`);

    const added = await send('addToCart', { variantId: b, quantity: 2 }, token);
    const addedRow = await onlyRow('cart', added.requestId, 'addToCart');
    expect(addedRow).toMatchObject({ actor: `user:${user}`, actorRoles: [], result: 'Cart' });
    expect(addedRow.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const merged = await send('mergeCart', { anonymousCartId: cartId }, token);
    expect(await onlyRow('cart', merged.requestId, 'mergeCart')).toMatchObject({ result: 'Cart', actor: `user:${user}` });
    const cart = merged.result as Result & { id: string; version: number; lines: { id: string; variant: { id: string } }[] };
    const lineA = cart.lines.find((l) => l.variant.id === a)!;
    const updated = await send('updateCartLine', { cartId: cart.id, lineId: lineA.id, quantity: 2, expectedVersion: cart.version }, token);
    expect(await onlyRow('cart', updated.requestId, 'updateCartLine')).toMatchObject({ result: 'Cart' });
    const version = Number(updated.result.version);
    const removed = await send('removeCartLine', { cartId: cart.id, lineId: lineA.id, expectedVersion: version }, token);
    expect((await onlyRow('cart', removed.requestId, 'removeCartLine')).targets).toContain(`Line:${lineA.id}`);
    const coupon = await send('applyCoupon', { cartId: cart.id, code: 'WELCOME10' }, token);
    expect(await onlyRow('cart', coupon.requestId, 'applyCoupon')).toMatchObject({ result: 'Cart' });

    const costed = await graph.request<{ cart: { cost: { total: unknown } } }>(OPS.cart, { id: cart.id }, { token });
    const placed = await send('placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: costed.body.data!.cart.cost.total }, token);
    expect(placed.result.__typename).toBe('Order');
    orderId = String(placed.result.id);
    expect((await onlyRow('order', placed.requestId, 'placeOrder')).targets).toContain(`Order:${orderId}`);
    // The saga's own step on inventory is a mutation of its own, recorded there under the same request.
    expect(await onlyRow('inventory', placed.requestId, 'reserveStock')).toMatchObject({ actor: `user:${user}`, targets: [`Order:${orderId}`] });

    const paid = await send('payOrder', { orderId, paymentToken: 'tok_visa' }, token);
    expect(await onlyRow('order', paid.requestId, 'payOrder')).toMatchObject({ result: 'Order', code: null });
    const cancelled = await send('cancelOrder', { orderId, reason: 'audit test' }, token);
    expect(await onlyRow('order', cancelled.requestId, 'cancelOrder')).toMatchObject({ result: 'Order' });

    const adjusted = await send('adjustStock', { variantId: b, delta: 5, reason: 'audit receipt' }, admin);
    expect(await onlyRow('inventory', adjusted.requestId, 'adjustStock')).toMatchObject({
      actor: 'user:audit-admin',
      actorRoles: ['admin'],
      result: 'StockLevel',
      targets: [`Variant:${b}`],
    });
  });

  it('records refusals with their code: unauthenticated, permission denied, validation', async () => {
    const anonymousMerge = await send('mergeCart', { anonymousCartId: 'cart_unknown' });
    expect(anonymousMerge.result.__typename).toBe('UnauthenticatedError');
    expect(await onlyRow('cart', anonymousMerge.requestId, 'mergeCart')).toMatchObject({ result: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });

    const denied = await send('adjustStock', { variantId: variants[2]!, delta: 1 }, token);
    expect(denied.result.__typename).toBe('PermissionDeniedError');
    expect(await onlyRow('inventory', denied.requestId, 'adjustStock')).toMatchObject({
      actor: `user:${user}`,
      result: 'PermissionDeniedError',
      code: 'PERMISSION_DENIED',
    });

    const invalid = await send('addToCart', { variantId: variants[2]!, quantity: 0 }, token);
    expect(await onlyRow('cart', invalid.requestId, 'addToCart')).toMatchObject({ result: 'ValidationError', code: 'INVALID_INPUT' });
  });

  it('gives a replay its own row, marked as a replay', async () => {
    const key = randomUUID();
    const first = await send('adjustStock', { variantId: variants[3]!, delta: 2, reason: 'replayed' }, admin, key);
    const again = await send('adjustStock', { variantId: variants[3]!, delta: 2, reason: 'replayed' }, admin, key);
    expect(again.result).toEqual(first.result);
    expect(await onlyRow('inventory', first.requestId, 'adjustStock')).toMatchObject({ replay: false, idempotencyKey: key });
    expect(await onlyRow('inventory', again.requestId, 'adjustStock')).toMatchObject({ replay: true, idempotencyKey: key, result: 'StockLevel' });
    const reused = await send('adjustStock', { variantId: variants[3]!, delta: 3 }, admin, key);
    expect(await onlyRow('inventory', reused.requestId, 'adjustStock')).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', replay: false });
  });

  it('leaves only the failure row of a mutation whose transaction rolled back', async () => {
    const variant = variants[4]!;
    const before = await stockOf(graph, variant);
    // The write-off is refused inside the transaction that claimed the key: all of it rolls back.
    const refused = await send('adjustStock', { variantId: variant, delta: -(before.onHand + 1) }, admin);
    expect(refused.result.__typename).toBe('ValidationError');
    expect(await onlyRow('inventory', refused.requestId, 'adjustStock')).toMatchObject({ result: 'ValidationError', code: 'INVALID_INPUT' });
    expect(await rowsOf('inventory', refused.requestId)).toHaveLength(1);
    expect(await stockOf(graph, variant)).toEqual(before);
  });

  it('records the admin who made each stock adjustment in the ledger', async () => {
    const key = randomUUID();
    await send('adjustStock', { variantId: variants[5]!, delta: 1, reason: 'ledger actor' }, admin, key);
    const rows = await graph.subgraphs.inventory.deps.db.execute<{ actor: string | null }>(
      sql`select actor from inventory.stock_movements where reference = ${key} and kind = 'ADJUSTED'`,
    );
    const actors = (Array.isArray(rows) ? rows : (rows as { rows: { actor: string | null }[] }).rows).map((r) => r.actor);
    expect(actors).toEqual(['user:audit-admin']);
  });

  it('lets an admin read a user’s history through the graph by actor, target and time range, page by page', async () => {
    // The order relay completes the checkout in the background, in the shopper's name: its row may
    // land between two reads. Wait for it, so every read below sees the same history.
    await expect
      .poll(async () => (await trail({ actor: `user:${user}` }, admin)).entries.some((e) => `${e.service}.${e.action}` === 'cart.completeCheckout'), {
        timeout: 20_000,
      })
      .toBe(true);
    const byActor = await trail({ actor: `user:${user}`, from: started.toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, admin);
    expect(byActor.__typename).toBe('AuditTrailPage');
    const actions = byActor.entries.map((e) => `${e.service}.${e.action}`);
    for (const expected of [
      'cart.addToCart',
      'cart.mergeCart',
      'cart.updateCartLine',
      'cart.removeCartLine',
      'cart.applyCoupon',
      'order.placeOrder',
      'inventory.reserveStock',
      'order.payOrder',
      'order.cancelOrder',
      'inventory.adjustStock',
    ]) {
      expect(actions).toContain(expected);
    }
    expect(byActor.entries.every((e) => e.actor === `user:${user}`)).toBe(true);
    const times = byActor.entries.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);

    const byTarget = await trail({ target: `Order:${orderId}` }, admin);
    expect(byTarget.entries.map((e) => e.service)).toEqual(expect.arrayContaining(['order', 'inventory']));
    expect(byTarget.entries.every((e) => e.targets.includes(`Order:${orderId}`))).toBe(true);

    const future = await trail({ actor: `user:${user}`, from: new Date(Date.now() + 60_000).toISOString() }, admin);
    expect(future.entries).toEqual([]);

    const pages: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: TrailPage = await trail({ actor: `user:${user}` }, admin, 3, after);
      pages.push(...page.entries.map((e) => `${e.service}.${e.requestId}.${e.action}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual(byActor.entries.map((e) => `${e.service}.${e.requestId}.${e.action}`));
  });

  it('answers a non-admin with PermissionDeniedError and an anonymous caller with UnauthenticatedError', async () => {
    expect(await trail({ actor: `user:${user}` }, token)).toMatchObject({ __typename: 'PermissionDeniedError', code: 'PERMISSION_DENIED' });
    const res = await graph.request<{ auditTrail: TrailPage }>(AUDIT_TRAIL, { filter: {}, first: 10 });
    expect(res.body.data!.auditTrail).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });
});
