import { pino, type DestinationStream, type Logger } from 'pino';

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
  'headers["x-gateway-signature"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-gateway-signature"]',
  'variables',
  '*.variables',
];

/** `destination` is for tests that read what was logged; stdout otherwise. */
export function createLogger(name: string, level: string = 'info', destination?: DestinationStream): Logger {
  const options = { name, level, base: { service: name }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
