import type { EventEnvelope, EventHeaders } from './envelope.ts';

/** Hands events to the broker (or spool); resolves only once they are durably accepted. */
export interface EventPublisher {
  publish(event: EventEnvelope, headers: EventHeaders): Promise<void>;
  close(): Promise<void>;
}

export interface RunningConsumer {
  /** Resolves once the consumer's queue exists (declared and bound) and it is receiving. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** A dead letter as an operator sees it. */
export interface DeadLetter {
  id: string;
  type: string;
  aggregateId: string;
  attempts: number;
  lastError: string | null;
}
