/**
 * How late this process's timers have been lately: a timer that should tick every SAMPLE_MS and
 * ticks later says the event loop was busy. A fetch that "timed out" while the loop lagged may
 * have had its answer sitting unread in the socket: the gateway's delay, not the subgraph's.
 */
const SAMPLE_MS = 20;
/** The lag remembered is the worst of the current and the previous window. */
const WINDOW_MS = 500;

let current = 0;
let previous = 0;
let timer: NodeJS.Timeout | undefined;

function start(): void {
  let expected = performance.now() + SAMPLE_MS;
  let windowStart = performance.now();
  timer = setInterval(() => {
    const now = performance.now();
    current = Math.max(current, now - expected);
    expected = now + SAMPLE_MS;
    if (now - windowStart >= WINDOW_MS) {
      previous = current;
      current = 0;
      windowStart = now;
    }
  }, SAMPLE_MS);
  timer.unref();
}

/** The worst timer lateness of the last half second to second (ms); starts measuring on first use. */
export function recentEventLoopLagMs(): number {
  if (!timer) start();
  return Math.max(current, previous);
}
