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
