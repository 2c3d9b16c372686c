/**
 * Counters and gauges of the event pipeline, kept in process for the telemetry work to expose at
 * `/metrics` (names follow Prometheus conventions; labels are in the key as `name{label="v"}`).
 * Nothing here exports anything by itself.
 */
export const EVENT_METRICS = {
  /** Events the broker (or spool) confirmed; labels: producer, type. */
  published: 'events_published_total',
  /** Publish attempts that failed (broker down, nack, timeout); labels: producer, type. */
  publishFailures: 'events_publish_failures_total',
  /** Age in seconds of the oldest unpublished outbox row at the last relay run; labels: producer. */
  outboxBacklogAge: 'events_outbox_backlog_age_seconds',
  /** Events handled; labels: consumer, type, outcome (applied | duplicate | failed). */
  consumed: 'events_consumed_total',
  /** Seconds from occurredAt to the consumer's effect at the last event; labels: consumer. */
  consumerLag: 'events_consumer_lag_seconds',
  /** Events moved to the dead-letter queue; labels: consumer, type. */
  deadLettered: 'events_dead_lettered_total',
} as const;

const values = new Map<string, number>();

const keyOf = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

export function countEvent(name: string, labels: Record<string, string>, by = 1): void {
  const key = keyOf(name, labels);
  values.set(key, (values.get(key) ?? 0) + by);
}

export function setEventGauge(name: string, labels: Record<string, string>, value: number): void {
  values.set(keyOf(name, labels), value);
}

/** Every series as `key -> value`, for an exporter (or a test) to read. */
export const eventMetricsSnapshot = (): ReadonlyMap<string, number> => new Map(values);
