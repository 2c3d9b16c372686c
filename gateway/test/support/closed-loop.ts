/**
 * Closed-loop listing clients, as shoppers during a sale: each its own user, each sending its next
 * request when the last is answered, honouring Retry-After after a refusal as the storefront does.
 * Every answer is sorted into what a user would see: complete, a typed partial answer, a refusal
 * (OVERLOADED or RATE_LIMITED, retryable), or a failure (anything else: no products, an untyped
 * error, a 5xx, a broken connection).
 */
export type Outcome = 'complete' | 'partial' | 'refused' | 'failed';

export interface Answer {
  outcome: Outcome;
  latencyMs: number;
  status: number;
  /** For failures: what came back, to tell why. */
  detail?: string;
  /** For partial answers: the services whose fields are missing. */
  services?: string[];
}

/** Fault codes a listing may carry for the fields one subgraph could not fill. */
const PARTIAL_CODES = new Set(['TIMEOUT', 'SERVICE_UNAVAILABLE']);

interface Body {
  data?: { products?: { edges?: unknown[] } | null } | null;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string; service?: string } }[];
}

export function classify(status: number, body: Body | undefined): Outcome {
  const code = body?.errors?.[0]?.extensions?.code;
  if ((status === 503 && code === 'OVERLOADED') || (status === 429 && code === 'RATE_LIMITED')) return 'refused';
  if (status !== 200 || !body?.data?.products?.edges?.length) return 'failed';
  if (!body.errors?.length) return 'complete';
  const typed = body.errors.every((e) => PARTIAL_CODES.has(e.extensions?.code ?? '') && Array.isArray(e.path) && e.path[0] === 'products');
  return typed ? 'partial' : 'failed';
}

export interface LoopOptions {
  url: string;
  body: string;
  /** One bearer token per client. */
  tokens: string[];
  durationMs: number;
  /** Wait this long after a refusal at most (Retry-After says 1 s; a test may shorten it). */
  maxRetryAfterMs?: number;
}

export async function runClosedLoop(options: LoopOptions): Promise<Answer[]> {
  const answers: Answer[] = [];
  const end = performance.now() + options.durationMs;
  const client = async (token: string) => {
    while (performance.now() < end) {
      const started = performance.now();
      let answer: Answer;
      let retryAfterMs = 0;
      try {
        const res = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: options.body,
        });
        const text = await res.text();
        let body: Body | undefined;
        try {
          body = JSON.parse(text) as Body;
        } catch {
          body = undefined;
        }
        const outcome = classify(res.status, body);
        answer = { outcome, latencyMs: performance.now() - started, status: res.status };
        if (outcome === 'failed') answer.detail = text.slice(0, 300);
        if (outcome === 'partial') answer.services = [...new Set(body!.errors!.map((e) => e.extensions?.service ?? ''))].sort();
        if (outcome === 'refused') retryAfterMs = Math.min(options.maxRetryAfterMs ?? 1_000, Number(res.headers.get('retry-after') ?? 1) * 1_000);
      } catch (error) {
        answer = { outcome: 'failed', latencyMs: performance.now() - started, status: 0, detail: String(error) };
      }
      answers.push(answer);
      if (retryAfterMs > 0) await new Promise((r) => setTimeout(r, retryAfterMs));
    }
  };
  await Promise.all(options.tokens.map(client));
  return answers;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarise(answers: Answer[], durationMs: number) {
  const count = (o: Outcome) => answers.filter((a) => a.outcome === o).length;
  const admitted = answers.filter((a) => a.outcome === 'complete' || a.outcome === 'partial').map((a) => a.latencyMs);
  const refused = answers.filter((a) => a.outcome === 'refused').map((a) => a.latencyMs);
  const perSecond = (n: number) => Math.round((n / durationMs) * 10_000) / 10;
  return {
    complete: perSecond(count('complete')),
    partial: perSecond(count('partial')),
    refused: perSecond(count('refused')),
    failed: perSecond(count('failed')),
    admittedP50: Math.round(percentile(admitted, 50)),
    admittedP99: Math.round(percentile(admitted, 99)),
    refusedP99: Math.round(percentile(refused, 99)),
  };
}
