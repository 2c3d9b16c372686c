/**
 * (d) placeOrder latency at a steady 10, 25 and 50 orders per second: an open loop (each order is
 * due at its time whether or not earlier ones have answered, as shoppers arrive), each order by its
 * own user with a cart filled before the clock starts. Only placeOrder is timed.
 */
import { benchEnv } from '../env.ts';
import { openLoop, percentile, sleep } from '../measure.ts';
import { num, table, type SectionReport } from '../report.ts';
import { kindOf, placed, placeOrder, shoppersWithCarts, stockFor } from '../shoppers.ts';
import type { Stack } from '../stack.ts';

export const ORDER_RATES = [10, 25, 50];

export async function placeOrders(stack: Stack, label: string): Promise<SectionReport> {
  const seconds = benchEnv.BENCH_SECONDS;
  await stockFor(
    stack,
    ORDER_RATES.reduce((s, r) => s + Math.round(r * seconds), 0),
  );
  const rows = [];
  for (const rate of ORDER_RATES) {
    const count = Math.round(rate * seconds);
    let shoppers;
    try {
      shoppers = await shoppersWithCarts(stack, count, `order-${rate}`);
    } catch (err) {
      // The rates already measured still count; this one is reported as not run.
      rows.push([`${rate}/s`, count, '–', '–', '–', '–', '–', '–', `setup failed: ${(err as Error).message.slice(0, 80)}`, '–']);
      continue;
    }
    await sleep(1_000); // let the setup's background work (events, cache writes) settle
    const { answers, maxLateMs, sentPerSecond } = await openLoop(rate, count, (i) => placeOrder(stack, shoppers[i]!));
    const ok = answers.filter((a) => placed(a.result));
    const ms = ok.map((a) => a.ms);
    const others = new Map<string, number>();
    for (const a of answers) if (!placed(a.result)) others.set(kindOf(a.result), (others.get(kindOf(a.result)) ?? 0) + 1);
    rows.push([
      `${rate}/s`,
      count,
      num(sentPerSecond, 1),
      ok.length,
      num(percentile(ms, 50), 0),
      num(percentile(ms, 95), 0),
      num(percentile(ms, 99), 0),
      num(Math.max(0, ...ms), 0),
      [...others].map(([k, n]) => `${k} ${n}`).join(', ') || '–',
      num(maxLateMs, 0),
    ]);
    console.log(`  ${label} ${rate}/s: ${ok.length}/${count} placed, p99 ${num(percentile(ms, 99), 0)} ms`);
    await sleep(2_000);
  }
  return {
    title: `(d) placeOrder at a steady rate, ${label}`,
    notes: [
      `Open loop, ${seconds} s per rate; each order its own user and a cart of one unit made beforehand (untimed). ` +
        'Latency from when the order was due; “late” is how far behind schedule the bench itself sent one. Percentiles of placed orders.',
    ],
    tables: [table(['rate', 'orders', 'sent/s', 'placed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'not placed', 'late ms'], rows)],
  };
}
