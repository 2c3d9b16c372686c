import type { BrowserContext } from 'playwright-core';

export interface RequestLog {
  /** Every URL the pages, their workers and their fetches asked for, in order. */
  readonly urls: string[];
  /** The requests that went (or tried to go) anywhere but localhost. */
  offHost(): string[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** data: and blob: URLs never leave the browser. */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return LOCAL_HOSTS.has(hostname);
}

/**
 * Records every request of a browser context and limits its network to localhost: anything else is
 * aborted (so a CDN dependency shows up as a broken page, not a slow one) and still recorded.
 */
export async function limitToLocalhost(context: BrowserContext): Promise<RequestLog> {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.fallback() : route.abort('blockedbyclient')));
  return { urls, offHost: () => urls.filter((u) => !isLocal(u)) };
}
