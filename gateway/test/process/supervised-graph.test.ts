import { randomUUID } from 'node:crypto';
import { demoProducts } from '@ecom/platform/demo-catalog';
import { SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, OPS, type OrderView, type Result, type StockLevel } from '../mutations/shopper.ts';
import { operation } from '../support/operations.ts';
import { answers200, isAlive, startSupervisedGraph, until, type ProcessStatus, type SupervisedGraph } from '../support/supervised-graph.ts';

/**
 * `npm start` as a shopper meets it on a bad day: checkouts run from concurrent clients while one
 * subgraph process is killed with SIGKILL. The supervisor brings it back with nobody's help, the
 * gateway and the other processes never stop answering, and retrying each failed step with the
 * same idempotency key ends with exactly one paid order per checkout and its stock sold once.
 */
const CLIENTS = 4;
/** What a client may be told while a subgraph is down: faults with a contract code, never a dropped connection. */
const TYPED_FAULTS = ['SERVICE_UNAVAILABLE', 'TIMEOUT', 'INTERNAL', 'OVERLOADED'];
/** A retry after a crash may wait out the dead execution's 30 s idempotency lease. */
const RESUME_TIMEOUT_MS = 120_000;

let graph: SupervisedGraph;
/** Demo variants with plenty of stock, handed out a few per test. */
const variants: string[] = [];

beforeAll(async () => {
  // The first start creates and seeds six databases: on PGlite and a loaded machine, minutes.
  graph = await startSupervisedGraph(400_000);
  expect(graph.output()).toContain(`Gateway ready at http://localhost:${new URL(graph.url).port}/graphql`);
  const ids = demoProducts().flatMap((p) => p.variants.map((v) => v.id));
  for (const id of ids) {
    if ((await stockOf(id)).available >= 100) variants.push(id);
    if (variants.length >= 9) break;
  }
  expect(variants.length).toBeGreaterThanOrEqual(9);
}, 480_000);

afterAll(async () => {
  await graph?.dispose();
}, 60_000);

/**
 * The stock as the gateway reads it. Just after inventory is back the gateway's breaker may still be
 * open for its reset time (it opened on the refused connections): a retryable answer is asked again,
 * as a client would.
 */
async function stockOf(variantId: string): Promise<StockLevel> {
  const until = Date.now() + 15_000;
  for (;;) {
    const res = await graph.request<{ stockLevel: StockLevel }>('query Stock($v: ID!) { stockLevel(variantId: $v) { onHand reserved available } }', {
      v: variantId,
    });
    const retryable = res.body.errors?.every((e) => e.extensions?.retryable === true) ?? false;
    if (!retryable || Date.now() > until) {
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      return res.body.data!.stockLevel;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every answer the gateway gave during a test, every time it gave none, and what is on the wire now. */
interface Observed {
  codes: string[];
  unreachable: string[];
  inFlight: Record<string, number>;
}

type Step = 'add' | 'place' | 'pay' | 'done';

/** One shopper's checkout; its three keys never change, however often a step is retried. */
interface Checkout {
  token: string;
  variantId: string;
  quantity: number;
  keys: { add: string; place: string; pay: string };
  step: Step;
  cartId?: string;
  orderId?: string;
  /** Steps that failed and were retried later. */
  failures: string[];
}

async function newCheckout(variantId: string): Promise<Checkout> {
  return {
    token: await graph.token(`supervised-${randomUUID()}`),
    variantId,
    quantity: 1 + Math.floor(Math.random() * 2),
    keys: { add: randomUUID(), place: randomUUID(), pay: randomUUID() },
    step: 'add',
    failures: [],
  };
}

/** The next step's request, with the key that step always uses. */
function nextRequest(c: Checkout): [op: keyof typeof OPS, input: Record<string, unknown>] {
  switch (c.step) {
    case 'add':
      return ['addToCart', { variantId: c.variantId, quantity: c.quantity, idempotencyKey: c.keys.add }];
    case 'place':
      return ['placeOrder', { cartId: c.cartId, shippingAddress: ADDRESS, idempotencyKey: c.keys.place }];
    default:
      return ['payOrder', { orderId: c.orderId, paymentToken: 'tok_visa', idempotencyKey: c.keys.pay }];
  }
}

/**
 * Runs the checkout's remaining steps until one fails. Success moves it on; a fault with a contract
 * code or a retryable DomainError leaves it where it is, to be retried with the same key. Anything
 * else (no answer at all, an unexpected business error) is recorded for the test to fail on.
 */
async function advance(c: Checkout, seen: Observed): Promise<void> {
  while (c.step !== 'done') {
    const [op, input] = nextRequest(c);
    let answer: Awaited<ReturnType<typeof graph.request<Record<string, Result>>>>;
    seen.inFlight[op] = (seen.inFlight[op] ?? 0) + 1;
    try {
      answer = await graph.request<Record<string, Result>>(OPS[op], { input }, c.token);
    } catch (err) {
      seen.unreachable.push(`${op}: ${String(err)}`);
      c.failures.push(`${op}: no answer`);
      return;
    } finally {
      seen.inFlight[op] -= 1;
    }
    const result = answer.body.data ? Object.values(answer.body.data)[0] : null;
    for (const e of answer.body.errors ?? []) seen.codes.push(String(e.extensions?.code));
    if (!result) {
      c.failures.push(
        `${op}: ${answer.body.errors?.map((e) => `${String(e.extensions?.code)}@${String(e.extensions?.service)} ${e.message}`).join(', ')}`,
      );
      return;
    }
    if (result.__typename === 'Cart' && c.step === 'add') {
      c.cartId = result.id as string;
      c.step = 'place';
    } else if (result.__typename === 'Order' && c.step === 'place') {
      c.orderId = result.id as string;
      c.step = 'pay';
    } else if (result.__typename === 'Order' && c.step === 'pay' && result.status === 'PAID') {
      c.step = 'done';
    } else if (result.retryable === true) {
      seen.codes.push(String(result.code));
      c.failures.push(`${op}: ${result.code}`);
      return;
    } else {
      throw new Error(`${op} answered ${JSON.stringify(result)}`);
    }
  }
}

/** A read the killed subgraph feeds, so the gateway's answer while it is down can be checked. */
const PROBES: Partial<Record<SubgraphName, { query: string; variables: Record<string, unknown>; signedIn: boolean }>> = {
  order: { query: operation('web/MyOrders'), variables: { first: 1 }, signedIn: true },
  inventory: { query: operation('web/CategoryListing'), variables: { first: 3 }, signedIn: false },
  cart: { query: operation('web/Cart'), variables: { id: 'no-such-cart' }, signedIn: false },
};

function readyzOf(name: SubgraphName): string {
  return new URL('/readyz', graph.subgraphUrls[name]).toString();
}

async function subgraphAnswers(name: SubgraphName): Promise<boolean> {
  return answers200(readyzOf(name)).catch(() => false);
}

describe('npm start under kill -9', () => {
  it.each(['order', 'inventory'] as const)(
    'of the %s subgraph: the rest stays up, it comes back, and retried checkouts give one order each with stock sold once',
    async (victim) => {
      const mine = variants.splice(0, 3);
      const before = new Map(await Promise.all(mine.map(async (v) => [v, await stockOf(v)] as const)));
      const processesBefore = await graph.processes();
      const target = processesBefore.get(victim)!;
      expect(target.status).toBe('online');

      // Shoppers check out one after another until the kill interrupts one of theirs: that
      // checkout, in flight when the process died, waits with its keys for the retry below.
      const seen: Observed = { codes: [], unreachable: [], inFlight: {} };
      const checkouts: Checkout[] = [];
      let completed = 0;
      let chaosOver = false;
      const clients = Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          while (!chaosOver) {
            const c = await newCheckout(mine[(i + checkouts.length) % mine.length]!);
            checkouts.push(c);
            await advance(c, seen);
            if (c.step !== 'done') return;
            completed += 1;
          }
        }),
      );
      let clientFailed = false;
      clients.catch(() => {
        clientFailed = true; // awaited below; a client's failure must not go unhandled meanwhile
      });

      // Kill it in the middle of the traffic: once checkouts have gone through, while a placeOrder or
      // payOrder (the saga both order and inventory take part in) is on its way.
      const sagaInFlight = () => (seen.inFlight.placeOrder ?? 0) + (seen.inFlight.payOrder ?? 0);
      await until(async () => completed >= CLIENTS || clientFailed, 120_000, 'the first checkouts');
      const waitUntil = Date.now() + 60_000;
      while (sagaInFlight() === 0 && !clientFailed && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 5));
      expect(clientFailed, 'a client failed before the kill').toBe(false);
      const sagasInFlightAtKill = sagaInFlight();
      expect(sagasInFlightAtKill).toBeGreaterThan(0);
      const killedAt = Date.now();
      process.kill(target.pid, 'SIGKILL');

      // While it is down the gateway answers, with a typed error for what the victim feeds.
      const probe = PROBES[victim]!;
      const probeToken = await graph.token(`prober-${randomUUID()}`);
      let probedWhileDown = 0;
      for (;;) {
        expect(Date.now() - killedAt, `${victim} not back within 180 s`).toBeLessThan(180_000);
        if (await subgraphAnswers(victim)) break;
        expect(await answers200(graph.url.replace('/graphql', '/healthz'))).toBe(true);
        const res = await graph.request<Record<string, unknown>>(probe.query, probe.variables, probe.signedIn ? probeToken : undefined);
        // Checked again after the answer: the probe only counts if the victim was down all along.
        if (await subgraphAnswers(victim)) break;
        const failure = res.body.errors?.find((e) => e.extensions?.service === victim);
        expect(failure, JSON.stringify(res.body)).toBeDefined();
        expect(['SERVICE_UNAVAILABLE', 'TIMEOUT']).toContain(failure!.extensions!.code);
        expect(failure!.extensions!.retryable).toBe(true);
        probedWhileDown += 1;
        await new Promise((r) => setTimeout(r, 250));
      }
      const downForMs = Date.now() - killedAt;
      expect(probedWhileDown).toBeGreaterThan(0);

      // Back without a person: a new process, restarted once; nobody else was touched.
      const processesAfter = await graph.processes();
      expect(processesAfter.get(victim)).toMatchObject({ status: 'online', restarts: target.restarts + 1 });
      expect(processesAfter.get(victim)!.pid).not.toBe(target.pid);
      expect(isAlive(target.pid)).toBe(false);
      const others = (m: Map<string, ProcessStatus>) =>
        [...m.values()].filter((p) => p.name !== victim).map((p) => [p.name, p.pid, p.status, p.restarts]);
      expect(others(processesAfter)).toEqual(others(processesBefore));
      // The gateway, six subgraphs and the storefront.
      expect(processesAfter.size).toBe(SUBGRAPH_NAMES.length + 2);

      chaosOver = true;
      await clients;
      await until(() => answers200(graph.url.replace('/graphql', '/readyz')), 60_000, 'the gateway /readyz');

      // Every checkout that failed part way is retried, step by step, with its own keys.
      const interrupted = checkouts.filter((c) => c.step !== 'done');
      expect(
        checkouts.some((c) => c.failures.length > 0),
        'no checkout was interrupted by the kill',
      ).toBe(true);
      const resumeUntil = Date.now() + RESUME_TIMEOUT_MS;
      await Promise.all(
        interrupted.map(async (c) => {
          for (;;) {
            await advance(c, seen);
            if (c.step === 'done') return;
            expect(Date.now(), `checkout stuck at ${c.step}: ${c.failures.join('; ')}`).toBeLessThan(resumeUntil);
            await new Promise((r) => setTimeout(r, 500));
          }
        }),
      );

      expect(seen.unreachable, 'the gateway stopped answering').toEqual([]);
      expect(seen.codes.filter((code) => !TYPED_FAULTS.includes(code) && code !== 'IDEMPOTENCY_IN_PROGRESS')).toEqual([]);

      // Exactly one order per checkout (each shopper's only order), paid, with the quantity asked for.
      for (const c of checkouts) {
        const res = await graph.request<{ myOrders: { edges: { node: OrderView }[] } }>(OPS.myOrders, { first: 10 }, c.token);
        expect(res.body.errors).toBeUndefined();
        const orders = res.body.data!.myOrders.edges.map((e) => e.node);
        expect(orders.map((o) => [o.id, o.status])).toEqual([[c.orderId, 'PAID']]);
        expect(orders[0]!.lines.map((l) => [l.variantId, l.quantity])).toEqual([[c.variantId, c.quantity]]);
      }

      // Stock sold exactly once per checkout, and nothing left reserved.
      for (const v of mine) {
        const sold = checkouts.filter((c) => c.variantId === v).reduce((sum, c) => sum + c.quantity, 0);
        const start = before.get(v)!;
        expect(await stockOf(v), `variant ${v}`).toEqual({
          onHand: start.onHand - sold,
          reserved: start.reserved,
          available: start.available - sold,
        });
      }
      console.info(
        `[supervised ${victim}] ${checkouts.length} checkouts, ${sagasInFlightAtKill} placeOrder/payOrder in flight at the kill, ` +
          `${interrupted.length} interrupted and retried; ` +
          `down ${downForMs} ms (${probedWhileDown} typed answers meanwhile)`,
      );
    },
    420_000,
  );

  it('SIGTERM stops every process it started, each draining first', async () => {
    const running = [...(await graph.processes()).values()];
    expect(running.map((p) => p.status)).toEqual(running.map(() => 'online'));
    const from = graph.mark();
    await graph.stop();
    await until(async () => running.every((p) => !isAlive(p.pid)) && !graph.supervisorAlive(), 60_000, 'every process to exit');
    for (const name of SUBGRAPH_NAMES) expect(await subgraphAnswers(name)).toBe(false);
    expect(await answers200(graph.url.replace('/graphql', '/healthz')).catch(() => false)).toBe(false);
    // Each subgraph drained and exited on its own after its SIGINT (pm2 names the signal that ended
    // it: SIGKILL means the drain hung past kill_timeout); none was restarted.
    const stopping = graph.output(from);
    for (const p of running) expect(stopping).toMatch(new RegExp(`App \\[${p.name}:\\d+\\] exited with code \\[0\\]`));
    for (const name of SUBGRAPH_NAMES)
      expect(stopping).toMatch(new RegExp(`App \\[${name}:\\d+\\] exited with code \\[0\\] via signal \\[SIGINT\\]`));
    expect(stopping).not.toMatch(/will restart in/);
  }, 120_000);
});
