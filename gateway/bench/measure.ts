/**
 * What the sections measure with: CPU of a process from /proc, percentiles, closed and open loops,
 * GraphQL POSTs with the answer classified, and core pinning.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ): 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state (field 3).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time of every PostgreSQL server process on this machine (postmaster and backends), in ms: the
 * database's share of a request on the real server, where the embedded default spends it inside the
 * subgraph. A backend that exits between two readings takes its time with it; the subgraphs' pools
 * keep theirs open.
 */
export function postgresServerCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuMs(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return total;
}

export function cpuOf(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Pins every thread of each process to `cores` (taskset -a), or frees it onto all cores when
 * `cores` is undefined. Freeing carries on past a process that has exited.
 */
export async function pin(pids: number[], cores: string | undefined): Promise<void> {
  const list = cores ?? `0-${cpus().length - 1}`;
  for (const pid of pids) {
    await run('taskset', ['-a', '-p', '-c', list, String(pid)]).catch((err: unknown) => {
      if (cores !== undefined) throw err;
    });
  }
}

export type Outcome = 'complete' | 'partial' | 'refused' | 'failed';

export interface Answer {
  status: number;
  ms: number;
  outcome: Outcome;
  /** The first error code, or why the request failed. */
  code?: string;
  /** A refusal's Retry-After, in ms. */
  retryAfterMs?: number;
  body?: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string; retryable?: boolean; service?: string } }[] };
}

/**
 * POSTs one GraphQL request and classifies the answer: complete (200, no errors), partial (data
 * with errors, `field` not null), refused (429, or 503 OVERLOADED: the gateway said no at once,
 * retryable), failed (anything else: `field` null, another status, a timeout, a broken connection).
 */
export async function postGraphQL(
  url: string,
  body: string,
  options: { token?: string; field: string; timeoutMs: number; headers?: Record<string, string> },
): Promise<Answer> {
  const started = performance.now();
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs) });
    const text = await res.text();
    const ms = performance.now() - started;
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      return { status: res.status, ms, outcome: 'failed', code: `HTTP ${res.status}, not JSON` };
    }
    const code = parsed?.errors?.[0]?.extensions?.code;
    if (res.status === 429 || (res.status === 503 && code === 'OVERLOADED')) {
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        status: res.status,
        ms,
        outcome: 'refused',
        code,
        body: parsed,
        retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
      };
    }
    const value = parsed?.data?.[options.field];
    if (res.status !== 200 || value === null || value === undefined) {
      // Which subgraph failed the root field is what the next diagnosis needs.
      const service = parsed?.errors?.[0]?.extensions?.service;
      return {
        status: res.status,
        ms,
        outcome: 'failed',
        code: code ? (service ? `${code} (${service})` : code) : `HTTP ${res.status}`,
        body: parsed,
      };
    }
    return { status: res.status, ms, outcome: parsed?.errors?.length ? 'partial' : 'complete', code, body: parsed };
  } catch (err) {
    const name = (err as Error).name;
    return { status: 0, ms: performance.now() - started, outcome: 'failed', code: name === 'TimeoutError' ? 'client timeout' : name };
  }
}

/**
 * `clients` loops, each sending its next request when its previous answer is in, until `seconds` pass.
 * With `rampMs`, client i starts i/clients of it late: users do not arrive in the same millisecond,
 * and this process pays about a millisecond of its own CPU per request, so 64 sent at once made its
 * own queue part of every latency measured in the first burst.
 */
export async function closedLoop<T>(
  clients: number,
  seconds: number,
  send: (client: number) => Promise<T>,
  options: { rampMs?: number } = {},
): Promise<T[]> {
  const until = performance.now() + seconds * 1000;
  const results: T[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      if (options.rampMs) await sleep((client * options.rampMs) / clients);
      while (performance.now() < until) results.push(await send(client));
    }),
  );
  return results;
}

/**
 * A refused client waits out Retry-After (1 s without one) plus up to half of it again at random:
 * clients refused together and back together, to the millisecond, would meet the gateway as one burst
 * each second.
 */
export function backOff(answer: Pick<Answer, 'retryAfterMs'>): Promise<void> {
  const wait = answer.retryAfterMs ?? 1_000;
  return sleep(wait + Math.random() * (wait / 2));
}

export interface Scheduled<T> {
  result: T;
  /** From the moment the request was due (not sent): a late start counts against the answer. */
  ms: number;
}

/**
 * An open loop: request i is due at i / rate seconds, whether or not earlier ones have answered
 * (a fixed arrival rate, as users arrive, so a slow answer cannot hold the next one back). Latency
 * counts from when a request was due, so the bench's own lateness is never hidden (no coordinated
 * omission); the largest lateness is reported beside it.
 */
export async function openLoop<T>(
  rate: number,
  count: number,
  send: (i: number) => Promise<T>,
): Promise<{ answers: Scheduled<T>[]; maxLateMs: number; sentPerSecond: number }> {
  const start = performance.now();
  const pending: Promise<Scheduled<T>>[] = [];
  let maxLateMs = 0;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxLateMs = Math.max(maxLateMs, performance.now() - due);
    pending.push(send(i).then((result) => ({ result, ms: performance.now() - due })));
  }
  // The rate actually sent: `count` requests over `count` intervals (the last one's included).
  const sentPerSecond = count / ((performance.now() - start) / 1000 + 1 / rate);
  const answers = await Promise.all(pending);
  return { answers, maxLateMs, sentPerSecond };
}
