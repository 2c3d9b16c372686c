import { Pool, type Dispatcher } from 'undici';
import { recentEventLoopLagMs } from './event-loop-lag.ts';

/**
 * The gateway's HTTP client for subgraph requests: one undici keep-alive Pool per subgraph origin,
 * bounded in connections, with no per-request agent, stack trace or Fetch object on the hot path.
 *
 * It tells apart who made a request fail, which the circuit breaker needs: the subgraph's timeout
 * runs from the moment the request was written to the socket, so time spent waiting for a
 * connection (gateway-side queueing) never counts against the subgraph; the client request's
 * deadline is a separate timer whose expiry is the gateway's (or its client's) business; and a
 * timeout that fired late because this process's event loop lagged is not blamed on the subgraph.
 */
export type FailureBlame = 'subgraph' | 'gateway';

export class SubgraphFetchError extends Error {
  constructor(
    message: string,
    /** `timeout`: no answer within the subgraph's timeout or the deadline; `connection`: refused, reset or closed. */
    readonly kind: 'timeout' | 'connection',
    /** Whose failure it is: only the subgraph's count towards opening its breaker. */
    readonly blame: FailureBlame,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SubgraphFetchError';
  }
}

export interface SubgraphAnswer {
  status: number;
  statusText: string;
  contentType?: string;
  cacheControl?: string;
  text: string;
}

export interface SendLimits {
  /** Whatever happens, give up after this long (the client request's remaining budget). */
  deadlineMs: number;
  /** The subgraph's own timeout, from the moment the request is written; omitted: the deadline alone. */
  subgraphTimeoutMs?: number;
}

export interface TransportSettings {
  /** Connections per subgraph origin. */
  connections: number;
  /** A timer this many ms late says the event loop, not the subgraph, was slow. */
  lagToleranceMs: number;
}

export const DEFAULT_TRANSPORT: TransportSettings = { connections: 64, lagToleranceMs: 25 };

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

export interface SubgraphTransport {
  post(url: string, headers: Record<string, string>, body: string, limits: SendLimits): Promise<SubgraphAnswer>;
  close(): Promise<void>;
}

export function createSubgraphTransport(settings: TransportSettings = DEFAULT_TRANSPORT): SubgraphTransport {
  const pools = new Map<string, Pool>();
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      targets.set(url, target);
    }
    return target;
  };
  const poolOf = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      // Subgraphs keep idle connections 65 s; closing ours first means never writing into one they close.
      pool = new Pool(origin, { connections: settings.connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
      pools.set(origin, pool);
    }
    return pool;
  };

  return {
    post(url, headers, body, limits) {
      const { origin, path } = targetOf(url);
      return new Promise<SubgraphAnswer>((resolve, reject) => {
        let abort: ((reason: Error) => void) | undefined;
        let failure: SubgraphFetchError | undefined;
        let subgraphTimer: NodeJS.Timeout | undefined;
        let status = 0;
        let statusText = '';
        let contentType: string | undefined;
        let cacheControl: string | undefined;
        const chunks: Buffer[] = [];
        const settle = (error?: Error) => {
          clearTimeout(deadlineTimer);
          clearTimeout(subgraphTimer);
          if (error) reject(error);
          else resolve({ status, statusText, contentType, cacheControl, text: Buffer.concat(chunks).toString('utf8') });
        };
        const giveUp = (error: SubgraphFetchError) => {
          failure ??= error;
          // Not yet on a connection: it is dropped when one comes (onConnect), never written.
          abort?.(error);
          settle(error);
        };
        const deadlineTimer = setTimeout(
          () => giveUp(new SubgraphFetchError(`no answer within the request's deadline (${limits.deadlineMs} ms)`, 'timeout', 'gateway')),
          limits.deadlineMs,
        );

        const handler: Dispatcher.DispatchHandler = {
          onConnect(abortRequest) {
            abort = abortRequest;
            if (failure) abortRequest(failure);
          },
          // The body is one buffer, written at once: its one onBodySent says the request is on the wire.
          onBodySent() {
            const timeoutMs = limits.subgraphTimeoutMs;
            if (timeoutMs === undefined || failure || subgraphTimer) return;
            const due = performance.now() + timeoutMs;
            subgraphTimer = setTimeout(() => {
              const late = performance.now() - due;
              const lagged = late > settings.lagToleranceMs || recentEventLoopLagMs() > settings.lagToleranceMs;
              giveUp(
                new SubgraphFetchError(
                  `no answer within ${timeoutMs} ms of the request being sent${lagged ? ' (the gateway event loop lagged)' : ''}`,
                  'timeout',
                  lagged ? 'gateway' : 'subgraph',
                ),
              );
            }, timeoutMs);
          },
          onHeaders(statusCode, rawHeaders, _resume, message) {
            status = statusCode;
            statusText = message;
            for (let i = 0; i < rawHeaders.length; i += 2) {
              const name = rawHeaders[i]!.toString().toLowerCase();
              if (name === 'content-type') contentType = rawHeaders[i + 1]!.toString();
              else if (name === 'cache-control') cacheControl = rawHeaders[i + 1]!.toString();
            }
            return true;
          },
          onData(chunk) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            if (!failure) settle();
          },
          onError(error) {
            if (failure) return; // our own abort, already settled
            const code = (error as { code?: string }).code ?? '';
            failure = new SubgraphFetchError(error.message, 'connection', CONNECTION_ERRORS.has(code) ? 'subgraph' : 'gateway', { cause: error });
            settle(failure);
          },
        };
        poolOf(origin).dispatch({ origin, path, method: 'POST', headers, body, headersTimeout: 0, bodyTimeout: 0 }, handler);
      });
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}
