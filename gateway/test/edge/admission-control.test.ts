import { describe, expect, it } from 'vitest';
import { createAdmissionControl, DEFAULT_ADMISSION, type Admitted, type AdmissionSettings } from '../../src/edge/admission-control.ts';
import { ConcurrencyLimit } from '../../src/edge/concurrency-limit.ts';
import { laneOfText } from '../../src/edge/lane.ts';
import type { Refusal } from '../../src/edge/refusal.ts';

const LIMIT = { initial: 8, min: 2, max: 64, tolerance: 2, baselineWindowMs: 30_000 };

function fixedLimit(n: number): AdmissionSettings {
  return { ...DEFAULT_ADMISSION, limit: { ...LIMIT, initial: n, min: n, max: n } };
}

const isRefusal = (x: Admitted | { refusal: Refusal }): x is { refusal: Refusal } => 'refusal' in x;

async function admitted(p: Promise<Admitted | { refusal: Refusal }>): Promise<Admitted> {
  const outcome = await p;
  if (isRefusal(outcome)) throw new Error(`refused: ${outcome.refusal.message}`);
  return outcome;
}

describe('the adaptive concurrency limit', () => {
  it('shrinks when requests run far slower than their no-load latency, and grows back while it is used and latency is low', () => {
    let t = 0;
    const limit = new ConcurrencyLimit(LIMIT, () => t);
    // The no-load latency of the listing: 30 ms.
    for (let i = 0; i < 8; i++) limit.sample('listing', 30, 8);
    expect(limit.limit).toBeGreaterThanOrEqual(8);
    const before = limit.limit;
    // Queueing inside the graph: the same listing takes 150 ms (5 × its no-load latency).
    for (let i = 0; i < 16; i++) {
      t += 10;
      limit.sample('listing', 150, before);
    }
    expect(limit.limit).toBeLessThan(before);
    const shrunk = limit.limit;
    // Latency back within tolerance while the limit is filled: it grows, one per window.
    for (let i = 0; i < 64; i++) {
      t += 10;
      limit.sample('listing', 40, limit.limit);
    }
    expect(limit.limit).toBeGreaterThan(shrunk);
  });

  it('compares each operation with its own no-load latency: a mix of cheap and costly operations is not congestion', () => {
    const limit = new ConcurrencyLimit(LIMIT, () => 0);
    for (let i = 0; i < 200; i++) {
      limit.sample('ping', 1, limit.limit);
      limit.sample('listing', 35, limit.limit);
    }
    expect(limit.limit).toBeGreaterThan(LIMIT.initial);
  });

  it('does not grow a limit that is never filled', () => {
    const limit = new ConcurrencyLimit(LIMIT, () => 0);
    for (let i = 0; i < 200; i++) limit.sample('listing', 30, 2);
    expect(limit.limit).toBe(LIMIT.initial);
  });

  it('stays within its bounds', () => {
    let t = 0;
    const limit = new ConcurrencyLimit(LIMIT, () => t);
    limit.sample('listing', 10, 1);
    for (let i = 0; i < 500; i++) {
      t += 1;
      limit.sample('listing', 1_000, 1);
    }
    expect(limit.limit).toBe(LIMIT.min);
  });
});

describe('admission control', () => {
  it('refuses what cannot start within its queue time with a retryable OVERLOADED, 503 and Retry-After', async () => {
    const control = createAdmissionControl({ ...fixedLimit(2), queueWaitMs: { read: 20, mutation: 20, checkout: 20 } });
    const held = [await admitted(control.acquire('read', 'a', 'q')), await admitted(control.acquire('read', 'b', 'q'))];
    const started = performance.now();
    const outcome = await control.acquire('read', 'c', 'q');
    const waited = performance.now() - started;
    expect(isRefusal(outcome)).toBe(true);
    const { refusal } = outcome as { refusal: Refusal };
    expect(refusal).toMatchObject({ status: 503, code: 'OVERLOADED', retryable: true, headers: { 'retry-after': '1' } });
    expect(waited).toBeGreaterThanOrEqual(15);
    expect(waited).toBeLessThan(500);
    expect(control.queued).toBe(0);
    held.forEach((h) => h.release());
    expect(control.inFlight).toBe(0);
  });

  it('starts a queued request as soon as a slot frees', async () => {
    const control = createAdmissionControl({ ...fixedLimit(1), queueWaitMs: { read: 1_000, mutation: 1_000, checkout: 1_000 } });
    const first = await admitted(control.acquire('read', 'a', 'q'));
    const second = control.acquire('read', 'b', 'q');
    expect(control.queued).toBe(1);
    first.release();
    const admittedSecond = await admitted(second);
    expect(control.inFlight).toBe(1);
    admittedSecond.release();
  });

  it('lets a checkout start at once while reads fill the limit, and gives a freed slot to a checkout before a read', async () => {
    const control = createAdmissionControl({
      ...fixedLimit(4),
      principalShare: 1,
      reserve: { read: 0, mutation: 0, checkout: 0 },
      queueWaitMs: { read: 20, mutation: 100, checkout: 500 },
    });
    const reads = await Promise.all([1, 2, 3, 4].map((i) => admitted(control.acquire('read', `r${i}`, 'q'))));
    // Reads are at the limit: a fifth read queues, a mutation (up to 5) and a checkout (up to 6) run in their headroom.
    const queuedRead = control.acquire('read', 'r5', 'q');
    const mutation = await admitted(control.acquire('mutation', 'shopper', 'addToCart'));
    const checkout = await admitted(control.acquire('checkout', 'buyer', 'placeOrder'));
    expect(control.inFlight).toBe(6);
    // Checkout headroom (4 × 1.5 = 6) is spent too: the next checkout queues, ahead of the read.
    const queuedCheckout = control.acquire('checkout', 'buyer2', 'placeOrder');
    const order: string[] = [];
    void queuedRead.then((o) => order.push(isRefusal(o) ? 'read refused' : 'read'));
    void queuedCheckout.then((o) => order.push(isRefusal(o) ? 'checkout refused' : 'checkout'));
    checkout.release();
    await queuedCheckout;
    expect(order).toEqual(['checkout']);
    expect(isRefusal(await queuedRead)).toBe(true); // still over the read limit after its 20 ms
    mutation.release();
    reads.forEach((r) => r.release());
    ((await queuedCheckout) as Admitted).release();
    expect(control.inFlight).toBe(0);
  });

  it('keeps slots for checkouts even at the smallest limit, while reads fill it', async () => {
    const control = createAdmissionControl(fixedLimit(2));
    const reads = await Promise.all(['a', 'b'].map((p) => admitted(control.acquire('read', p, 'q'))));
    expect(isRefusal(await control.acquire('read', 'c', 'q'))).toBe(true);
    const checkouts = await Promise.all(['x', 'y', 'z', 'w'].map((p) => admitted(control.acquire('checkout', p, 'placeOrder'))));
    expect(control.inFlight).toBe(6);
    [...reads, ...checkouts].forEach((h) => h.release());
  });

  it('keeps one principal from taking every slot of a lane: another principal still starts', async () => {
    const control = createAdmissionControl(fixedLimit(4));
    const greedy = await Promise.all([1, 2, 3, 4].map(() => control.acquire('read', 'greedy', 'q')));
    const held = greedy.filter((o): o is Admitted => !isRefusal(o));
    expect(held).toHaveLength(2); // half of four slots
    expect(greedy.filter(isRefusal).map((o) => o.refusal.code)).toEqual(['OVERLOADED', 'OVERLOADED']);
    const other = await admitted(control.acquire('read', 'someone-else', 'q'));
    other.release();
    held.forEach((h) => h.release());
  });

  it('refuses at once past the queue bound', async () => {
    const control = createAdmissionControl({ ...fixedLimit(1), maxQueue: 1, queueWaitMs: { read: 1_000, mutation: 1_000, checkout: 1_000 } });
    const first = await admitted(control.acquire('read', 'a', 'q'));
    const queued = control.acquire('read', 'b', 'q');
    const started = performance.now();
    const third = await control.acquire('read', 'c', 'q');
    expect(isRefusal(third)).toBe(true);
    expect(performance.now() - started).toBeLessThan(20);
    first.release();
    (await admitted(queued)).release();
  });

  it('queues a lane only as deep as its share of the limit: a reader past it is refused at once, a mutation still waits', async () => {
    const waits = { read: 1_000, mutation: 1_000, checkout: 1_000 };
    const control = createAdmissionControl({
      ...fixedLimit(2),
      queueWaitMs: waits,
      queueDepth: { read: 1, mutation: 1, checkout: 1 },
      principalShare: 1,
    });
    const running = [await admitted(control.acquire('read', 'a', 'q')), await admitted(control.acquire('read', 'a', 'q'))];
    const queued = [control.acquire('read', 'b', 'q'), control.acquire('read', 'c', 'q')];
    const started = performance.now();
    expect(isRefusal(await control.acquire('read', 'd', 'q'))).toBe(true);
    expect(performance.now() - started).toBeLessThan(20);
    expect(control.queued).toBe(2);
    // Mutations have a queue of their own depth (and headroom past the limit: 2 × 1.25 + 2 slots).
    const mutations = await Promise.all([1, 2, 3].map(() => control.acquire('mutation', 'e', 'm')));
    expect(mutations.every((m) => !isRefusal(m))).toBe(true);
    for (const m of mutations) (m as Admitted).release();
    for (const r of running) r.release();
    for (const q of queued) (await admitted(q)).release();
    expect(control.inFlight).toBe(0);
  });

  it('queues a request expected to start soon and refuses at once one that is not', async () => {
    let t = 0;
    const control = createAdmissionControl(
      {
        ...fixedLimit(1),
        expectedWaitMs: { read: 500, mutation: 500, checkout: 500 },
        queueWaitMs: { read: 1_000, mutation: 1_000, checkout: 1_000 },
      },
      () => t,
    );
    // Requests hold their slot 100 ms: the next one in line starts in about 100 ms.
    const first = await admitted(control.acquire('read', 'a', 'q'));
    t += 100;
    first.release();
    const running = await admitted(control.acquire('read', 'b', 'q'));
    const soon = control.acquire('read', 'c', 'q');
    expect(control.queued).toBe(1);
    // Holds of 2 s and 4 s raise the running mean to about 0.66 s: a newcomer would wait past 500 ms.
    const slow = await admitted(control.acquire('checkout', 'x', 'placeOrder'));
    t += 2_000;
    slow.release();
    t += 2_000;
    running.release(); // c, first in line, starts
    const started = performance.now();
    const late = await control.acquire('read', 'd', 'q');
    expect(isRefusal(late)).toBe(true);
    expect(performance.now() - started).toBeLessThan(20);
    expect(control.queued).toBe(0);
    (await admitted(soon)).release();
    expect(control.inFlight).toBe(0);
  });

  it('frees a slot once however often it is released', async () => {
    const control = createAdmissionControl(fixedLimit(2));
    const a = await admitted(control.acquire('read', 'a', 'q'));
    const b = await admitted(control.acquire('read', 'b', 'q'));
    a.release();
    a.release();
    expect(control.inFlight).toBe(1);
    b.release();
  });

  it('learns nothing from requests turned away after admission (a rate limit): the slot is freed, the limit untouched', async () => {
    /** Rounds that fill the limit with reads held 1 ms each, released as `ran` says. */
    const fillAndRelease = async (ran: boolean) => {
      let t = 0;
      const control = createAdmissionControl({ ...DEFAULT_ADMISSION, limit: LIMIT }, () => t);
      for (let round = 0; round < 50; round++) {
        const slots = await Promise.all(Array.from({ length: control.limit }, (_, i) => admitted(control.acquire('read', `p${i}`, 'q'))));
        t += 1;
        for (const slot of slots) slot.release(ran);
      }
      return control;
    };
    const turnedAway = await fillAndRelease(false);
    expect(turnedAway.inFlight).toBe(0);
    expect(turnedAway.limit).toBe(LIMIT.initial);
    // The same holds, had they run, are fast filled rounds: the limit grows from them.
    expect((await fillAndRelease(true)).limit).toBeGreaterThan(LIMIT.initial);
  });
});

describe('lanes', () => {
  it.each([
    ['query CategoryListing { products { id } }', undefined, 'read'],
    ['mutation { placeOrder(input: {}) { __typename } }', undefined, 'checkout'],
    ['mutation Pay { payOrder(input: {}) { __typename } }', undefined, 'checkout'],
    ['mutation { addToCart(input: {}) { __typename } }', undefined, 'mutation'],
    ['query A { a } mutation B { placeOrder { x } }', 'B', 'checkout'],
    ['query A { a } mutation B { placeOrder { x } }', 'A', 'read'],
    ['this is not graphql', undefined, 'read'],
  ])('%s (%s) runs in the %s lane', (text, name, lane) => {
    expect(laneOfText(text, name)).toBe(lane);
  });
});
