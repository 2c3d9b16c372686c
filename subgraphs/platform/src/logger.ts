import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Never written, whatever a log call passes: credentials in headers (bearer tokens, the gateway's
 * signature, cookies). Variables are never logged at all (they hold anonymous cart ids).
 */
export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["x-signature"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-signature"]',
  'variables',
  '*.variables',
];

/** An anonymous cart's id (`cart_` and its random part): a credential, so never written out. */
const CART_ID = /cart_[A-Za-z0-9_-]{16,}/g;

/**
 * Error text as it may be logged or stored: without the bound parameters a failed query lists
 * (they are request data) and with any cart id in the rest (a database error may quote a value) masked.
 */
export function loggableErrorText(text: string): string {
  return text.replace(/^params: .*$/gm, 'params: [redacted]').replace(CART_ID, 'cart_[redacted]');
}

/** Fields some errors carry that hold a failed query's bound values (request data). */
const PARAMETER_FIELDS = new Set(['params', 'parameters']);

/** An `err` as pino writes it (type, message, stack with its causes, own fields), masked like loggableErrorText. */
function loggableErr(value: unknown): unknown {
  if (typeof value === 'string') return loggableErrorText(value);
  if (!(value instanceof Error)) return value;
  const fields = Object.entries(stdSerializers.err(value)).filter(([k]) => !PARAMETER_FIELDS.has(k));
  return JSON.parse(loggableErrorText(JSON.stringify(Object.fromEntries(fields)))) as unknown;
}

/** `destination` is for tests that read what was logged; stdout otherwise. */
export function createLogger(name: string, level: string = 'info', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    base: { service: name },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: loggableErr },
  };
  return destination ? pino(options, destination) : pino(options);
}
