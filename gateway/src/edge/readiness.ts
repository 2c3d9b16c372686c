const PROBE_TIMEOUT_MS = 2_000;

export interface Readiness {
  ready: boolean;
  /** Subgraphs whose /readyz did not answer 200. */
  down: string[];
}

/** The subgraph's /readyz beside its /graphql endpoint. */
function readyzUrl(graphqlUrl: string): string {
  return new URL('/readyz', graphqlUrl).toString();
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(readyzUrl(url), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Probes every subgraph in parallel; ready only when all of them are. */
export async function probeSubgraphs(urls: Record<string, string>): Promise<Readiness> {
  const results = await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await answers(url)] as const));
  const down = results.filter(([, ok]) => !ok).map(([name]) => name);
  return { ready: down.length === 0, down };
}

/** How long one probe's answer serves every /readyz after it. */
export const READINESS_CACHE_MS = 1_000;

/**
 * One fan-out answers every /readyz until `ttlMs` after it settles; calls while it runs share it.
 * A probe storm (load balancers, a misbehaving client) then costs each subgraph, and its database,
 * at most one probe per window, at the price of a readiness up to `ttlMs` old.
 */
export function cachedProbe(probe: () => Promise<Readiness>, ttlMs = READINESS_CACHE_MS): () => Promise<Readiness> {
  let last: { result: Promise<Readiness>; freshUntil: number } | undefined;
  return () => {
    if (last && Date.now() < last.freshUntil) return last.result;
    const entry = { result: probe(), freshUntil: Number.POSITIVE_INFINITY };
    void entry.result.finally(() => (entry.freshUntil = Date.now() + ttlMs));
    last = entry;
    return entry.result;
  };
}
