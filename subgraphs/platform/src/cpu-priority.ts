import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority to `nice` (0–19), every thread of it.
 *
 * `npm start` runs the gateway and six subgraphs on one machine. Under a sale's load the box is
 * CPU-bound, and the gateway waited in the run queue behind the subgraphs: a refusal that costs it
 * well under a millisecond was answered in tens. Niced subgraphs let the edge answer first (refusals,
 * health probes, the next fetch of a plan) while the subgraphs still get every cycle the gateway
 * leaves (the README's "Degrade, never collapse" has the interleaved measurement). In Kubernetes
 * each pod has its own CPU and this stays off.
 *
 * Linux keeps a nice value per thread, so the threads V8 started before this ran (GC, compiler) are
 * set one by one; threads started later inherit the main thread's. Elsewhere only the calling thread
 * is set. Returns how many threads were set.
 */
export function lowerCpuPriority(nice: number): number {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`nice must be an integer from 0 to 19, got ${nice}`);
  let threads: number[];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    setPriority(nice);
    return 1;
  }
  let set = 0;
  for (const tid of threads) {
    try {
      setPriority(tid, nice);
      set++;
    } catch {
      // The thread ended between the listing and the call.
    }
  }
  return set;
}
