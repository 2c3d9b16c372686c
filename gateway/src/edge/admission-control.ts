import { admissionLimit, admissionQueueWait, admissionRequests, inFlightRequests } from '@ecom/platform/metrics';
import { ConcurrencyLimit, DEFAULT_LIMIT, type LimitSettings } from './concurrency-limit.ts';
import type { Refusal } from './refusal.ts';

/**
 * The global budget tier: how much the gateway runs at once. Requests over the adaptive limit
 * (concurrency-limit.ts) wait in a short queue, bounded in time, and are refused with
 * `OVERLOADED` when they cannot start in time: an answer in milliseconds the client can retry,
 * instead of one that times out after queueing through its whole deadline.
 *
 * A request joins the queue only when it is expected to start soon (`expectedWaitMs`: its place in
 * line × the mean time a request holds its slot ÷ the lane's slots); otherwise it is refused at
 * once, instead of at the end of its queue time with nothing gained. `queueWaitMs` stays the bound
 * for when the estimate is wrong (a subgraph stalls and every running request holds its slot to
 * its deadline). The queue is bounded in depth too (`queueDepth` × the limit).
 *
 * Reads get no queue by default (`queueWaitMs.read` 0): over the limit they are refused at once.
 * In `npm run bench` a read queue (25 ms expected, 250 ms at most) won nothing measurable against
 * plain Apollo Gateway (a) or in goodput (e), and the checkouts beside saturating reads got slower.
 *
 * Lanes, refused in this order: reads, then mutations, then checkout (`placeOrder`, `payOrder`).
 * A lane may run past the limit by its headroom (a share of the limit plus a few reserved slots), and a freed slot goes to the highest lane
 * waiting, so while reads saturate the gateway a checkout still starts at once. Within a lane,
 * one principal holds at most `principalShare` of the lane's slots.
 */
export type Lane = 'checkout' | 'mutation' | 'read';

/** Highest priority first: the order a freed slot is offered in. */
const LANES: readonly Lane[] = ['checkout', 'mutation', 'read'];

export interface AdmissionSettings {
  limit: LimitSettings;
  /** How far past the limit a lane may run, as a share of it (reads: 0)... */
  headroom: Record<Lane, number>;
  /** ...and in slots, so that even at the smallest limit a checkout finds room while reads fill it. */
  reserve: Record<Lane, number>;
  /** A request joins the queue only if expected to start within this... */
  expectedWaitMs: Record<Lane, number>;
  /** ...and is refused if it still has not after this. */
  queueWaitMs: Record<Lane, number>;
  /** Most waiters of a lane, as a multiple of the limit (at least one): past it, refusal at once. */
  queueDepth: Record<Lane, number>;
  /** Most requests waiting at once, all lanes together. */
  maxQueue: number;
  /** Largest share of a lane's slots one principal may hold (at least one slot). */
  principalShare: number;
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  limit: DEFAULT_LIMIT,
  headroom: { read: 0, mutation: 0.25, checkout: 0.5 },
  reserve: { read: 0, mutation: 2, checkout: 4 },
  expectedWaitMs: { read: 25, mutation: 100, checkout: 500 },
  queueWaitMs: { read: 0, mutation: 100, checkout: 500 },
  queueDepth: { read: 1, mutation: 2, checkout: 8 },
  maxQueue: 256,
  principalShare: 0.5,
};

export type RefusalReason = 'limit' | 'queue_full' | 'expected_wait' | 'queue_timeout' | 'principal_share';

/** Weight of the newest hold time in the running mean: about the last ten requests. */
const HOLD_WEIGHT = 0.1;

export interface Admitted {
  /**
   * Ends the request's hold on its slot (once; later calls do nothing). Its latency teaches the
   * limit unless `ran` is false: a request turned away after admission (a rate limit) did no work.
   */
  release(ran?: boolean): void;
}

interface Waiter {
  lane: Lane;
  principal: string;
  admit(): void;
}

export interface AdmissionControl {
  /** `operation` keys the no-load latency (the query text or registered id); `principal` the fairness share. */
  acquire(lane: Lane, principal: string, operation: string): Promise<Admitted | { refusal: Refusal }>;
  readonly limit: number;
  readonly inFlight: number;
  readonly queued: number;
}

export function createAdmissionControl(settings: AdmissionSettings = DEFAULT_ADMISSION, now = () => performance.now()): AdmissionControl {
  const limiter = new ConcurrencyLimit(settings.limit, now);
  const running = { total: 0 };
  const byPrincipal = new Map<string, number>();
  const queues: Record<Lane, Waiter[]> = { checkout: [], mutation: [], read: [] };
  let waiting = 0;
  /** Mean time a request holds its slot; 0 until the first one is released. */
  let meanHoldMs = 0;
  admissionLimit.set(limiter.limit);

  const laneCap = (lane: Lane) => Math.max(1, Math.ceil(limiter.limit * (1 + settings.headroom[lane])) + settings.reserve[lane]);
  const principalCap = (lane: Lane) => Math.max(1, Math.floor(laneCap(lane) * settings.principalShare));
  const queueCap = (lane: Lane) => Math.max(1, Math.ceil(limiter.limit * settings.queueDepth[lane]));
  const fits = (lane: Lane, principal: string) => running.total < laneCap(lane) && (byPrincipal.get(principal) ?? 0) < principalCap(lane);
  /** A waiter of this lane or a higher one is ahead: a newcomer may not jump it. */
  const queuedAhead = (lane: Lane) => LANES.slice(0, LANES.indexOf(lane) + 1).some((l) => queues[l].length > 0);
  /** When a newcomer to this lane would start: freed slots go to its lane and those above it first. */
  const expectedWait = (lane: Lane) => {
    const ahead = LANES.slice(0, LANES.indexOf(lane) + 1).reduce((n, l) => n + queues[l].length, 0);
    return ((ahead + 1) * meanHoldMs) / laneCap(lane);
  };

  function start(lane: Lane, principal: string, operation: string): Admitted {
    running.total += 1;
    byPrincipal.set(principal, (byPrincipal.get(principal) ?? 0) + 1);
    inFlightRequests.set(running.total);
    const inFlightAtStart = running.total;
    const started = now();
    let released = false;
    return {
      release(ran = true) {
        if (released) return;
        released = true;
        running.total -= 1;
        const held = (byPrincipal.get(principal) ?? 1) - 1;
        if (held === 0) byPrincipal.delete(principal);
        else byPrincipal.set(principal, held);
        inFlightRequests.set(running.total);
        if (ran) {
          const heldMs = now() - started;
          meanHoldMs = meanHoldMs === 0 ? heldMs : meanHoldMs + HOLD_WEIGHT * (heldMs - meanHoldMs);
          limiter.sample(operation, heldMs, inFlightAtStart);
          admissionLimit.set(limiter.limit);
        }
        drain();
      },
    };
  }

  /** Offers freed slots to the waiters, highest lane first, oldest first within a lane. */
  function drain(): void {
    for (const lane of LANES) {
      const queue = queues[lane];
      for (let i = 0; i < queue.length;) {
        const waiter = queue[i]!;
        if (!fits(lane, waiter.principal)) {
          if (running.total >= laneCap(lane)) break;
          i += 1; // this principal is at its share; someone behind it may not be
          continue;
        }
        queue.splice(i, 1);
        waiting -= 1;
        waiter.admit();
      }
    }
  }

  function refusal(lane: Lane, reason: RefusalReason): { refusal: Refusal } {
    admissionRequests.inc({ lane, outcome: 'refused', reason });
    return {
      refusal: {
        status: 503,
        code: 'OVERLOADED',
        retryable: true,
        message: 'The graph is at capacity right now. Retry after the time in Retry-After.',
        extensions: { lane },
        headers: { 'retry-after': '1' },
      },
    };
  }

  return {
    acquire(lane, principal, operation) {
      if (fits(lane, principal) && !queuedAhead(lane)) {
        admissionRequests.inc({ lane, outcome: 'admitted', reason: 'immediate' });
        admissionQueueWait.observe({ lane }, 0);
        return Promise.resolve(start(lane, principal, operation));
      }
      if (waiting >= settings.maxQueue || queues[lane].length >= queueCap(lane)) return Promise.resolve(refusal(lane, 'queue_full'));
      if (settings.queueWaitMs[lane] <= 0) return Promise.resolve(refusal(lane, 'limit'));
      if (expectedWait(lane) > settings.expectedWaitMs[lane]) return Promise.resolve(refusal(lane, 'expected_wait'));
      admissionRequests.inc({ lane, outcome: 'queued', reason: 'limit' });
      const enqueued = now();
      return new Promise((resolve) => {
        const waiter: Waiter = {
          lane,
          principal,
          admit() {
            clearTimeout(timer);
            admissionRequests.inc({ lane, outcome: 'admitted', reason: 'after_queue' });
            admissionQueueWait.observe({ lane }, (now() - enqueued) / 1000);
            resolve(start(lane, principal, operation));
          },
        };
        const timer = setTimeout(() => {
          const queue = queues[lane];
          queue.splice(queue.indexOf(waiter), 1);
          waiting -= 1;
          const share = (byPrincipal.get(principal) ?? 0) >= principalCap(lane);
          resolve(refusal(lane, share ? 'principal_share' : 'queue_timeout'));
        }, settings.queueWaitMs[lane]);
        queues[lane].push(waiter);
        waiting += 1;
        // Those ahead may be waiting only for their principal's share: this one may fit now.
        drain();
      });
    },
    get limit() {
      return limiter.limit;
    },
    get inFlight() {
      return running.total;
    },
    get queued() {
      return waiting;
    },
  };
}
