import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { createLogger, type Logger } from '@ecom/platform/logger';

/** Every line the graph logs, raw and parsed, from loggers that write here instead of stdout. */
export interface LogCapture {
  raw(): string;
  lines(): Record<string, unknown>[];
  logger(name: string): Logger;
  /** Loggers for startGraph: the gateway's and each subgraph's, at debug level. */
  graphLoggers(): { gateway: { logger: Logger }; config: Record<string, { logger: Logger }> };
  /** The access line of one request, once written (it is written when the answer has been sent). */
  accessLine(requestId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const sink = { write: (chunk: string) => void chunks.push(chunk) };
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const logger = (name: string) => createLogger(name, 'debug', sink);
  return {
    raw: () => chunks.join(''),
    lines,
    logger,
    graphLoggers: () => ({
      gateway: { logger: logger('gateway') },
      config: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { logger: logger(n) }])),
    }),
    async accessLine(requestId, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const line = lines().find((l) => l.log === 'access' && l.requestId === requestId);
        if (line) return line;
        if (Date.now() > until) throw new Error(`no access line for ${requestId}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
