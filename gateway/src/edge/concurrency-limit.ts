import { LRUCache } from 'lru-cache';

/**
 * An adaptive concurrency limit in the manner of Netflix's concurrency-limits (gradient) and
 * Envoy's adaptive concurrency: how many requests may run at once is learnt from latency. Each
 * finished request is compared with the no-load latency *of its own operation* (a listing and a
 * one-field query cost very different amounts, so one global minimum would read every listing as
 * congestion); when a window of requests ran on average more than `tolerance` times slower than
 * their no-load latency, work is queueing inside the graph and the limit shrinks in proportion;
 * while the limit is in use and latency stays within tolerance, it grows by one per window.
 */
export interface LimitSettings {
  initial: number;
  min: number;
  max: number;
  /** Latency over no-load latency that still counts as uncongested. */
  tolerance: number;
  /** How long one no-load latency sample stands (a new minimum replaces it at once). */
  baselineWindowMs: number;
}

/**
 * Floor 4 and tolerance 3 from `npm run bench` (goodput) on 2 cores shared with six subgraphs: with
 * floor 2 and tolerance 2 the limit sat at 2 (a listing's latency varies by 3× on such a box with
 * no congestion at all) and left a core idle; at 4 the 64-client goodput matched the 16-client one.
 */
export const DEFAULT_LIMIT: LimitSettings = { initial: 8, min: 4, max: 256, tolerance: 3, baselineWindowMs: 30_000 };

/** Smallest number of samples that closes a window: fewer say too little about latency. */
const MIN_WINDOW_SAMPLES = 8;

/**
 * The no-load latency of one operation: the minimum over the current and the previous window,
 * so a minimum seen once long ago (a colder or idler machine) ages out instead of standing forever.
 */
class Baseline {
  private current = Infinity;
  private previous = Infinity;
  private rotatedAt: number;

  constructor(now: number) {
    this.rotatedAt = now;
  }

  observe(ms: number, now: number, windowMs: number): number {
    if (now - this.rotatedAt >= windowMs) {
      this.previous = now - this.rotatedAt >= 2 * windowMs ? Infinity : this.current;
      this.current = Infinity;
      this.rotatedAt = now;
    }
    this.current = Math.min(this.current, ms);
    return Math.min(this.current, this.previous);
  }
}

export class ConcurrencyLimit {
  private value: number;
  private readonly baselines = new LRUCache<string, Baseline>({ max: 2_000 });
  private ratioSum = 0;
  private samples = 0;
  private busiest = 0;

  constructor(
    private readonly settings: LimitSettings = DEFAULT_LIMIT,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.value = settings.initial;
  }

  get limit(): number {
    return Math.floor(this.value);
  }

  /**
   * One finished request: its operation, how long it ran after admission, and how many ran at once
   * when it was admitted (a limit that was never filled says nothing about a bigger one).
   */
  sample(operation: string, latencyMs: number, inFlight: number): void {
    const now = this.now();
    let baseline = this.baselines.get(operation);
    if (!baseline) this.baselines.set(operation, (baseline = new Baseline(now)));
    const noLoad = Math.max(0.5, baseline.observe(latencyMs, now, this.settings.baselineWindowMs));
    this.ratioSum += Math.max(1, latencyMs / noLoad);
    this.samples += 1;
    this.busiest = Math.max(this.busiest, inFlight);
    if (this.samples < Math.max(MIN_WINDOW_SAMPLES, this.limit)) return;

    const ratio = this.ratioSum / this.samples;
    const { tolerance, min, max } = this.settings;
    if (ratio > tolerance) this.value = Math.max(min, this.value * Math.max(0.5, tolerance / ratio));
    else if (this.busiest >= this.limit) this.value = Math.min(max, this.value + 1);
    this.ratioSum = 0;
    this.samples = 0;
    this.busiest = 0;
  }
}
