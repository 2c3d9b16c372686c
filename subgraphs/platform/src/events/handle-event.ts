import { loggableErrorText, type Logger } from '../logger.ts';
import { assertReadable, type ConsumerDefinition } from './consumer-definition.ts';
import type { EventEnvelope, EventHeaders } from './envelope.ts';
import type { EventsConfig } from './events-config.ts';
import { eventConsumerLag, eventsConsumed } from '../metrics.ts';
import { withTraceHeaders } from './trace-context.ts';

/** Thrown by the crash failure point: the transport must act as if the process died before the ack. */
export class SimulatedCrash extends Error {
  constructor(event: EventEnvelope) {
    super(`simulated crash after applying ${event.id} and before acknowledging it`);
    this.name = 'SimulatedCrash';
  }
}

/** One attempt at one event, inside the producer's trace; throws on failure (the transport retries). */
export async function handleEvent(
  def: ConsumerDefinition,
  config: EventsConfig,
  logger: Logger,
  event: EventEnvelope,
  headers: EventHeaders,
): Promise<void> {
  try {
    assertReadable(def, event);
    const outcome = await withTraceHeaders(headers, () => def.handle(event));
    eventsConsumed.inc({ consumer: def.name, type: event.type, outcome });
    eventConsumerLag.observe({ consumer: def.name }, Math.max(0, (Date.now() - Date.parse(event.occurredAt)) / 1000));
    logger.debug({ eventId: event.id, type: event.type, outcome, consumer: def.name }, `event ${outcome}`);
  } catch (err) {
    eventsConsumed.inc({ consumer: def.name, type: event.type, outcome: 'failed' });
    throw err;
  }
  if (config.crashAfterEffect?.(def.name, event)) throw new SimulatedCrash(event);
}

/** What is logged and recorded of a failure: no query parameters, no cart ids (see loggableErrorText). */
export const errorMessage = (err: unknown) => loggableErrorText(err instanceof Error ? err.message : String(err)).slice(0, 500);
