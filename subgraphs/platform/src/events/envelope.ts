import { z } from 'zod';

/**
 * What travels between subgraphs (contract, "Second release"): one envelope for every transport,
 * so a consumer reads the same thing from RabbitMQ and from the local spool.
 */
export const envelopeSchema = z.object({
  /** Unique per event (a UUID); consumers apply each id once. */
  id: z.string().min(1),
  /** `<domain>.<name>`, e.g. `order.paid`; also the routing key. */
  type: z.string().regex(/^[a-z]+\.[a-z][a-z_.]*$/),
  /** The payload schema's version in the registry (`schema/events/<type>.v<version>.json`). */
  version: z.number().int().min(1),
  occurredAt: z.string().datetime({ offset: true }),
  /** Events of one aggregate are delivered in the order they occurred. */
  aggregateId: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});

export type EventEnvelope<TPayload = Record<string, unknown>> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: TPayload };

/** Message headers besides the envelope: W3C trace context, so a consumer's work joins the producer's trace. */
export type EventHeaders = Record<string, string>;

/** The exchange (RabbitMQ) or spool source an event type is published on: its domain. */
export const domainOf = (type: string): string => type.slice(0, type.indexOf('.'));

export function parseEnvelope(raw: unknown): EventEnvelope {
  return envelopeSchema.parse(raw);
}
