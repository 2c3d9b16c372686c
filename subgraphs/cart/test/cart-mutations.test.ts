import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { cartLines, carts } from '../src/db/schema.ts';
import { sweepAbandonedCarts } from '../src/services/abandoned-cart-sweeper.ts';
import {
  line,
  mutate,
  mutateCart,
  mutateRaw,
  readCart,
  startCartGraph,
  stockOfDemoVariants,
  type CartGraph,
  type CartView,
  type MutationResult,
} from './cart-graph.ts';

let g: CartGraph;
/** Variants with at least 120 available, a variant with 1..5 available, and one sold out. */
let plenty: string[];
let low: { variantId: string; available: number };
let soldOut: string;
let inStock: string[];

beforeAll(async () => {
  g = await startCartGraph();
  const stock = await stockOfDemoVariants(g.inventory);
  plenty = stock.filter((s) => s.available >= 120).map((s) => s.variantId);
  low = stock.find((s) => s.available >= 2 && s.available <= 5)!;
  soldOut = stock.find((s) => s.available === 0)!.variantId;
  inStock = stock.filter((s) => s.available > 0).map((s) => s.variantId);
  expect(plenty.length).toBeGreaterThanOrEqual(6);
  expect(low).toBeDefined();
});
afterAll(() => g?.dispose());

const alice = { userId: 'user-alice' };
const bob = { userId: 'user-bob' };

describe('who sees which cart', () => {
  it('gives an anonymous cart an unguessable id that alone reads it', async () => {
    const a = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    const b = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    // cart_ + 144 random bits in base64url
    expect(a.id).toMatch(/^cart_[A-Za-z0-9_-]{24}$/);
    expect(b.id).not.toBe(a.id);
    expect(a.version).toBe(1);

    expect((await readCart(g.cart, a.id)).data!.cart!.id).toBe(a.id);
    // The id is the credential: whoever holds it reads the cart, signed in or not.
    expect((await readCart(g.cart, a.id, bob)).data!.cart!.id).toBe(a.id);
    const tampered = a.id.slice(0, -1) + (a.id.endsWith('A') ? 'B' : 'A');
    expect((await readCart(g.cart, tampered)).data!.cart).toBeNull();
    // And nothing lists anonymous carts.
    expect((await g.cart.call<{ myCart: null }>(`{ myCart { id } }`)).data!.myCart).toBeNull();
  });

  it('shows a user cart to its owner only', async () => {
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 2 }, alice);
    expect((await readCart(g.cart, cart.id, alice)).data!.cart!.lines).toHaveLength(1);
    expect((await readCart(g.cart, cart.id, bob)).data!.cart).toBeNull();
    expect((await readCart(g.cart, cart.id)).data!.cart).toBeNull();

    const mine = await g.cart.call<{ myCart: { id: string } | null }>(`{ myCart { id } }`, {}, alice);
    expect(mine.data!.myCart!.id).toBe(cart.id);
    expect((await g.cart.call<{ myCart: null }>(`{ myCart { id } }`, {}, bob)).data!.myCart).toBeNull();

    // Changing it as someone else looks exactly like an unknown cart.
    for (const as of [bob, {}]) {
      expect(await mutate(g.cart, 'addToCart', { cartId: cart.id, variantId: plenty[1], quantity: 1 }, as)).toMatchObject({
        __typename: 'NotFoundError',
        code: 'NOT_FOUND',
      });
      expect(await mutate(g.cart, 'removeCartLine', { cartId: cart.id, lineId: cart.lines[0]!.id, expectedVersion: cart.version }, as)).toMatchObject(
        {
          __typename: 'NotFoundError',
        },
      );
    }
    expect(await mutate(g.cart, 'addToCart', { cartId: 'cart_nope', variantId: plenty[1], quantity: 1 })).toMatchObject({
      __typename: 'NotFoundError',
    });
  });

  it('keeps one open cart per user: adds without a cartId go to it', async () => {
    const user = { userId: `user-${randomUUID()}` };
    const first = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 }, user);
    const second = await mutateCart(g.cart, 'addToCart', { variantId: plenty[1], quantity: 1 }, user);
    expect(second.id).toBe(first.id);
    expect(second.lines).toHaveLength(2);
  });

  it('converges concurrent first adds of a new user on one cart', async () => {
    // On PGlite (one session) the four transactions run one after another; only Postgres races them.
    const user = { userId: `user-${randomUUID()}` };
    const carts = await Promise.all(plenty.slice(0, 4).map((variantId) => mutateCart(g.cart, 'addToCart', { variantId, quantity: 1 }, user)));
    expect(new Set(carts.map((c) => c.id)).size).toBe(1);
    const read = (await readCart(g.cart, carts[0]!.id, user)).data!.cart!;
    expect(read.lines.map((l) => l.variant.id).sort()).toEqual(plenty.slice(0, 4).sort());
    expect(read.version).toBe(4);
  });

  it('resolves a Cart reference with the same visibility', async () => {
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 }, alice);
    const q = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Cart { id version } } }`;
    const r = [{ __typename: 'Cart', id: cart.id }];
    expect((await g.cart.call<{ _entities: unknown[] }>(q, { r }, alice)).data!._entities[0]).toMatchObject({ id: cart.id });
    expect((await g.cart.call<{ _entities: unknown[] }>(q, { r }, bob)).data!._entities[0]).toBeNull();
  });
});

describe('changing lines', () => {
  it('adds, adds to a line, updates and removes, one version per change', async () => {
    const [x, y] = plenty as [string, string];
    let cart = await mutateCart(g.cart, 'addToCart', { variantId: x, quantity: 2 });
    expect(cart.version).toBe(1);
    cart = await mutateCart(g.cart, 'addToCart', { cartId: cart.id, variantId: x, quantity: 3 });
    expect(cart.lines).toHaveLength(1);
    expect(line(cart, x)!.quantity).toBe(5);
    expect(cart.version).toBe(2);
    cart = await mutateCart(g.cart, 'addToCart', { cartId: cart.id, variantId: y, quantity: 1 });
    expect(cart.lines.map((l) => l.variant.id)).toEqual([x, y]);
    expect(cart.version).toBe(3);

    const lineX = line(cart, x)!.id;
    cart = await mutateCart(g.cart, 'updateCartLine', { cartId: cart.id, lineId: lineX, quantity: 7, expectedVersion: 3 });
    expect(line(cart, x)).toMatchObject({ id: lineX, quantity: 7 });
    expect(cart.version).toBe(4);
    cart = await mutateCart(g.cart, 'removeCartLine', { cartId: cart.id, lineId: line(cart, y)!.id, expectedVersion: 4 });
    expect(cart.lines.map((l) => l.variant.id)).toEqual([x]);
    expect(cart.version).toBe(5);

    // What the mutations answered is what a read shows.
    const read = (await readCart(g.cart, cart.id)).data!.cart!;
    expect(read.version).toBe(5);
    expect(read.lines).toEqual(cart.lines);
  });

  it('refuses a stale expectedVersion with the current version, changing nothing', async () => {
    let cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    const lineId = cart.lines[0]!.id;
    cart = await mutateCart(g.cart, 'updateCartLine', { cartId: cart.id, lineId, quantity: 2, expectedVersion: 1 });
    // Another tab still holds version 1.
    expect(await mutate(g.cart, 'updateCartLine', { cartId: cart.id, lineId, quantity: 9, expectedVersion: 1 })).toMatchObject({
      __typename: 'VersionConflictError',
      code: 'VERSION_CONFLICT',
      retryable: false,
      currentVersion: 2,
    });
    expect(await mutate(g.cart, 'removeCartLine', { cartId: cart.id, lineId, expectedVersion: 1 })).toMatchObject({
      __typename: 'VersionConflictError',
      currentVersion: 2,
    });
    const read = (await readCart(g.cart, cart.id)).data!.cart!;
    expect(read).toMatchObject({ version: 2, lines: [{ id: lineId, quantity: 2 }] });
    expect(await mutate(g.cart, 'updateCartLine', { cartId: cart.id, lineId: 'line_nope', quantity: 1, expectedVersion: 2 })).toMatchObject({
      __typename: 'NotFoundError',
    });
  });

  it('lets exactly one of two concurrent changes at one version through', async () => {
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    const lineId = cart.lines[0]!.id;
    const change = (quantity: number) => mutate(g.cart, 'updateCartLine', { cartId: cart.id, lineId, quantity, expectedVersion: 1 });
    const { db, kind } = g.cart.dbHandle;
    let results: MutationResult[];
    if (kind === 'postgres') {
      // Postgres: a transaction of the test's own holds the cart's row until both changes are seen
      // waiting on it, so the two transactions really overlap.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      const held = db.transaction(async (tx) => {
        await tx.select({ id: carts.id }).from(carts).where(eq(carts.id, cart.id)).for('update');
        locked();
        await released;
      });
      await holding;
      const racing = Promise.all([change(3), change(4)]);
      const waiting = async () => {
        const rows: unknown = await db.execute(
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        // postgres.js answers the rows as an array (this branch runs on Postgres only).
        return (rows as { n: number }[])[0]!.n;
      };
      await expect.poll(waiting, { timeout: 30_000 }).toBe(2);
      release();
      await held;
      results = await racing;
    } else {
      // PGlite is one session: the two transactions run one after the other; this shows the version check, not a race.
      results = await Promise.all([change(3), change(4)]);
    }
    expect(results.map((r) => r.__typename).sort()).toEqual(['Cart', 'VersionConflictError']);
    expect((await readCart(g.cart, cart.id)).data!.cart!.version).toBe(2);
  });

  it('checks stock: more than available is InsufficientStockError, an unknown variant NotFoundError', async () => {
    expect(await mutate(g.cart, 'addToCart', { variantId: low.variantId, quantity: low.available + 1 })).toMatchObject({
      __typename: 'InsufficientStockError',
      code: 'INSUFFICIENT_STOCK',
      variantId: low.variantId,
      available: low.available,
    });
    let cart = await mutateCart(g.cart, 'addToCart', { variantId: low.variantId, quantity: low.available - 1 });
    // The line's total counts, not just the units added.
    expect(await mutate(g.cart, 'addToCart', { cartId: cart.id, variantId: low.variantId, quantity: 2 })).toMatchObject({
      __typename: 'InsufficientStockError',
      available: low.available,
    });
    cart = await mutateCart(g.cart, 'addToCart', { cartId: cart.id, variantId: low.variantId, quantity: 1 });
    expect(line(cart, low.variantId)!.quantity).toBe(low.available);
    expect(
      await mutate(g.cart, 'updateCartLine', {
        cartId: cart.id,
        lineId: cart.lines[0]!.id,
        quantity: low.available + 1,
        expectedVersion: cart.version,
      }),
    ).toMatchObject({ __typename: 'InsufficientStockError', available: low.available });
    expect(await mutate(g.cart, 'addToCart', { variantId: soldOut, quantity: 1 })).toMatchObject({
      __typename: 'InsufficientStockError',
      available: 0,
    });
    expect(await mutate(g.cart, 'addToCart', { variantId: 'var-does-not-exist', quantity: 1 })).toMatchObject({ __typename: 'NotFoundError' });
    // A refused add to an existing cart changed nothing.
    expect((await readCart(g.cart, cart.id)).data!.cart!.version).toBe(cart.version);
  });

  it('keeps every line within 1..99 with a ValidationError naming the field', async () => {
    for (const quantity of [0, -1, 100]) {
      expect(await mutate(g.cart, 'addToCart', { variantId: plenty[0], quantity })).toMatchObject({
        __typename: 'ValidationError',
        code: 'INVALID_INPUT',
        field: 'input.quantity',
      });
    }
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 60 });
    expect(await mutate(g.cart, 'addToCart', { cartId: cart.id, variantId: plenty[0], quantity: 40 })).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.quantity',
    });
    expect((await mutateCart(g.cart, 'addToCart', { cartId: cart.id, variantId: plenty[0], quantity: 39 })).lines[0]!.quantity).toBe(99);
    for (const quantity of [0, 100]) {
      expect(await mutate(g.cart, 'updateCartLine', { cartId: cart.id, lineId: cart.lines[0]!.id, quantity, expectedVersion: 2 })).toMatchObject({
        __typename: 'ValidationError',
        field: 'input.quantity',
      });
    }
  });

  it('holds at most 100 lines', async () => {
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: inStock[0], quantity: 1 });
    // Filling the cart asks for no cost, so it does not price a growing cart a hundred times.
    const fill = `mutation ($input: AddToCartInput!) { addToCart(input: $input) { __typename ... on Cart { version } } }`;
    for (const variantId of inStock.slice(1, 100)) {
      const res = await g.cart.call<{ addToCart: { __typename: string } }>(fill, {
        input: { cartId: cart.id, variantId, quantity: 1, idempotencyKey: randomUUID() },
      });
      expect(res.data!.addToCart.__typename).toBe('Cart');
    }
    expect((await readCart(g.cart, cart.id)).data!.cart!.lines).toHaveLength(100);
    expect(await mutate(g.cart, 'addToCart', { cartId: cart.id, variantId: inStock[100], quantity: 1 })).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.variantId',
    });
    // Adding to a line that is already there is still fine.
    expect((await mutateCart(g.cart, 'addToCart', { cartId: cart.id, variantId: inStock[0], quantity: 1 })).lines).toHaveLength(100);
  });
});

describe('mergeCart', () => {
  it('moves the anonymous lines into the user cart, adding up within stock and 99, and closes the anonymous cart', async () => {
    const user = { userId: `user-${randomUUID()}` };
    const [x, y, z] = plenty as [string, string, string];
    let anon = await mutateCart(g.cart, 'addToCart', { variantId: x, quantity: 3 });
    anon = await mutateCart(g.cart, 'addToCart', { cartId: anon.id, variantId: y, quantity: 60 });
    anon = await mutateCart(g.cart, 'addToCart', { cartId: anon.id, variantId: low.variantId, quantity: low.available - 1 });
    let mine = await mutateCart(g.cart, 'addToCart', { variantId: x, quantity: 2 }, user);
    mine = await mutateCart(g.cart, 'addToCart', { variantId: y, quantity: 50 }, user);
    mine = await mutateCart(g.cart, 'addToCart', { variantId: low.variantId, quantity: 2 }, user);
    mine = await mutateCart(g.cart, 'addToCart', { variantId: z, quantity: 1 }, user);

    const merged = await mutateCart(g.cart, 'mergeCart', { anonymousCartId: anon.id }, user);
    expect(merged.id).toBe(mine.id);
    expect(merged.version).toBe(mine.version + 1);
    expect(line(merged, x)!.quantity).toBe(5);
    expect(line(merged, y)!.quantity).toBe(99);
    expect(line(merged, low.variantId)!.quantity).toBe(low.available);
    expect(line(merged, z)!.quantity).toBe(1);
    expect(merged.lines).toHaveLength(4);

    expect((await readCart(g.cart, anon.id)).data!.cart).toBeNull();
    expect(await mutate(g.cart, 'addToCart', { cartId: anon.id, variantId: x, quantity: 1 })).toMatchObject({ __typename: 'NotFoundError' });
    expect(await mutate(g.cart, 'mergeCart', { anonymousCartId: anon.id }, user)).toMatchObject({
      __typename: 'InvalidStateError',
      code: 'INVALID_STATE',
    });
  });

  it('creates the user cart when there is none', async () => {
    const user = { userId: `user-${randomUUID()}` };
    const anon = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 4 });
    const merged = await mutateCart(g.cart, 'mergeCart', { anonymousCartId: anon.id }, user);
    expect(merged.id).not.toBe(anon.id);
    expect(merged.lines.map((l) => [l.variant.id, l.quantity])).toEqual([[plenty[0], 4]]);
    expect((await g.cart.call<{ myCart: { id: string } }>(`{ myCart { id } }`, {}, user)).data!.myCart.id).toBe(merged.id);
  });

  it('is for signed-in users, and only for anonymous open carts', async () => {
    const anon = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    expect(await mutate(g.cart, 'mergeCart', { anonymousCartId: anon.id })).toMatchObject({
      __typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    const bobs = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 }, bob);
    expect(await mutate(g.cart, 'mergeCart', { anonymousCartId: bobs.id }, alice)).toMatchObject({ __typename: 'NotFoundError' });
    expect(await mutate(g.cart, 'mergeCart', { anonymousCartId: 'cart_unknown' }, alice)).toMatchObject({ __typename: 'NotFoundError' });
    // The anonymous cart is untouched by the refusals.
    expect((await readCart(g.cart, anon.id)).data!.cart!.version).toBe(1);
  });
});

describe('idempotency', () => {
  it('replays the same key and input: same cart, same version, nothing applied twice', async () => {
    const idempotencyKey = randomUUID();
    const input = { variantId: plenty[0], quantity: 2, idempotencyKey };
    const first = await mutateCart(g.cart, 'addToCart', input);
    const again = await mutateCart(g.cart, 'addToCart', input);
    expect(again.id).toBe(first.id);
    expect(again.version).toBe(first.version);
    expect(again.lines).toEqual(first.lines);

    const key2 = randomUUID();
    const add = { cartId: first.id, variantId: plenty[0], quantity: 3, idempotencyKey: key2 };
    const added = await mutateCart(g.cart, 'addToCart', add);
    expect(await mutateCart(g.cart, 'addToCart', add)).toEqual(added);
    const read = (await readCart(g.cart, first.id)).data!.cart!;
    expect(read.version).toBe(2);
    expect(read.lines[0]!.quantity).toBe(5);

    expect(await mutate(g.cart, 'addToCart', { ...add, quantity: 4 })).toMatchObject({
      __typename: 'IdempotencyKeyReusedError',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect((await readCart(g.cart, first.id)).data!.cart!.version).toBe(2);
  });

  it('replays business errors too', async () => {
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    const stale = { cartId: cart.id, lineId: cart.lines[0]!.id, quantity: 2, expectedVersion: 0, idempotencyKey: randomUUID() };
    expect(await mutate(g.cart, 'updateCartLine', stale)).toMatchObject({ __typename: 'VersionConflictError', currentVersion: 1 });
    await mutateCart(g.cart, 'updateCartLine', { ...stale, expectedVersion: 1, idempotencyKey: randomUUID() });
    expect(await mutate(g.cart, 'updateCartLine', stale)).toMatchObject({ __typename: 'VersionConflictError', currentVersion: 1 });
  });

  it('does not store a ValidationError: the corrected input may reuse the key', async () => {
    const idempotencyKey = randomUUID();
    expect(await mutate(g.cart, 'addToCart', { variantId: plenty[0], quantity: 0, idempotencyKey })).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.quantity',
    });
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1, idempotencyKey });
    expect(cart.lines[0]!.quantity).toBe(1);
    expect(await mutate(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1, idempotencyKey: '' })).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.idempotencyKey',
    });
  });

  it('asks an anonymous first add for a key of 128 random bits: anything weaker is a ValidationError and changes nothing', async () => {
    const cartsBefore = await g.cart.dbHandle.db.$count(carts);
    for (const idempotencyKey of ['k', '1', 'cart-1', 'x'.repeat(21), 'not base64url but long enough!', '0000-0000-0000-000000']) {
      expect(await mutate(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1, idempotencyKey })).toMatchObject({
        __typename: 'ValidationError',
        code: 'INVALID_INPUT',
        retryable: false,
        field: 'idempotencyKey',
      });
    }
    expect(await g.cart.dbHandle.db.$count(carts)).toBe(cartsBefore);
    // A UUID, or 22 or more base64url characters, is enough.
    for (const idempotencyKey of [randomUUID(), randomUUID().toUpperCase(), randomBytes(16).toString('base64url')]) {
      expect(await mutate(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1, idempotencyKey })).toMatchObject({ __typename: 'Cart' });
    }
    // With a cart or a sign-in the key is scoped to it, and a short key is the caller's own business.
    const cart = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    expect(await mutate(g.cart, 'addToCart', { cartId: cart.id, variantId: plenty[1], quantity: 1, idempotencyKey: 'k' })).toMatchObject({
      __typename: 'Cart',
    });
    expect(
      await mutate(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1, idempotencyKey: 'k' }, { userId: `user-${randomUUID()}` }),
    ).toMatchObject({
      __typename: 'Cart',
    });
  });

  it.each([
    ['anonymous, new cart', {}],
    ['signed in', { userId: `user-${randomUUID()}` }],
  ])('runs 20 concurrent adds with one key once (%s)', async (_, as) => {
    // On PGlite (one session) the transactions run one after another; only Postgres races them
    // (the held-lock race is forced in platform/test/idempotency.test.ts).
    const input = { variantId: plenty[1], quantity: 2, idempotencyKey: randomUUID() };
    const results = await Promise.all(Array.from({ length: 20 }, () => mutateRaw(g.cart, 'addToCart', input, as)));
    const answers = results.map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!.addToCart!;
    });
    const carts = answers.filter((a): a is CartView => a.__typename === 'Cart');
    expect(carts.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) {
      if (a.__typename !== 'Cart') expect(a).toMatchObject({ __typename: 'IdempotencyInProgressError', retryable: true });
    }
    expect(new Set(carts.map((c) => `${c.id}@${c.version}`)).size).toBe(1);
    const read = (await readCart(g.cart, carts[0]!.id, as)).data!.cart!;
    expect(read.lines.map((l) => [l.variant.id, l.quantity])).toEqual([[plenty[1], 2]]);
    expect(read.version).toBe(carts[0]!.version);
  });
});

describe('abandoned anonymous carts', () => {
  it('are deleted with their lines once idle past the setting, in bounded batches; user carts and fresh ones stay', async () => {
    const db = g.cart.dbHandle.db;
    const idle = [
      await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 }),
      await mutateCart(g.cart, 'addToCart', { variantId: plenty[1], quantity: 2 }),
    ];
    const fresh = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 });
    const user = { userId: `user-${randomUUID()}` };
    const owned = await mutateCart(g.cart, 'addToCart', { variantId: plenty[0], quantity: 1 }, user);
    const monthAgo = new Date(Date.now() - 31 * 24 * 3600_000);
    await db
      .update(carts)
      .set({ updatedAt: monthAgo })
      .where(inArray(carts.id, [...idle.map((c) => c.id), owned.id]));

    // Batches of one: every idle cart goes, one bounded statement after another.
    const settings = { anonymousCartIdleDays: 30, anonymousCartSweepIntervalMs: 3_600_000, anonymousCartSweepBatch: 1 };
    expect(await sweepAbandonedCarts(db, settings)).toBeGreaterThanOrEqual(2);
    for (const cart of idle) expect((await readCart(g.cart, cart.id)).data!.cart).toBeNull();
    expect(
      await db.$count(
        cartLines,
        inArray(
          cartLines.cartId,
          idle.map((c) => c.id),
        ),
      ),
    ).toBe(0);
    expect((await readCart(g.cart, fresh.id)).data!.cart!.lines).toHaveLength(1);
    expect((await readCart(g.cart, owned.id, user)).data!.cart!.lines).toHaveLength(1);
    expect(await sweepAbandonedCarts(db, settings)).toBe(0);
  });
});
