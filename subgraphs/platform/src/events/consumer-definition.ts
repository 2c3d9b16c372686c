import type { ApplyOutcome } from './inbox.ts';
import type { EventEnvelope } from './envelope.ts';

/**
 * What a consumer reads: each event type and version, and the payload fields it relies on
 * (`lines[].quantity` for a field of the objects in an array). `schema:check` fails a change to
 * the registry that removes or retypes one of these fields, naming the consumer.
 */
export interface EventRead {
  type: string;
  version: number;
  fields: string[];
  /**
   * Fields it reads when present (added to a version after events of it were written, so older
   * events lack them): removing or retyping one fails the check, being optional does not.
   */
  optional?: string[];
}

export interface ConsumerDefinition {
  /** The queue's name (one per consuming subgraph), e.g. `product`. */
  name: string;
  reads: EventRead[];
  /**
   * Applies one event once (through `applyOnce`). Throwing is a failed attempt: the event is
   * retried with backoff, then dead-lettered. Must not throw for an event it has already applied.
   */
  handle(event: EventEnvelope): Promise<ApplyOutcome>;
}

/** An event of a type or version this consumer does not read: no retry will fix it. */
export class UnreadableEventError extends Error {
  constructor(consumer: string, event: EventEnvelope) {
    super(`${consumer} cannot read ${event.type} v${event.version} (event ${event.id})`);
    this.name = 'UnreadableEventError';
  }
}

export function assertReadable(def: Pick<ConsumerDefinition, 'name' | 'reads'>, event: EventEnvelope): void {
  if (!def.reads.some((r) => r.type === event.type && r.version === event.version)) throw new UnreadableEventError(def.name, event);
}
