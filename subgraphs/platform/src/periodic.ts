import type { Logger } from './logger.ts';
import { backgroundFailures } from './metrics.ts';

/**
 * Runs `task` every `intervalMs`, never two runs at once (the next is scheduled when one ends), and
 * stop() waits for a run in flight, so a subgraph shuts down without cutting a step in half. A run
 * that fails is logged and counted (`graph_background_failures_total{task}`), and the next one runs.
 */
export function every(intervalMs: number, name: string, logger: Logger, task: () => Promise<void>): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = task()
        .catch((err: unknown) => {
          backgroundFailures.inc({ task: name });
          logger.error({ err, task: name }, `${name} run failed`);
        })
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
