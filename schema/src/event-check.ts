import { eventKey, fieldsOf, type JsonSchema } from './event-schemas.ts';

/** What one consumer reads of one event type and version (its `reads` declaration). */
export interface ConsumerRead {
  consumer: string;
  type: string;
  version: number;
  fields: string[];
  /** Fields read when present: they may be optional, not removed or retyped. */
  optional?: string[];
}

export interface EventCheckInput {
  /** The payload schemas the producers write now, by `type.vN`. */
  working: Record<string, JsonSchema>;
  /** The registry (`schema/events/*.json`), by `type.vN`. */
  published: Record<string, JsonSchema>;
  reads: ConsumerRead[];
}

export interface EventCheckReport {
  ok: boolean;
  failures: string[];
  warnings: string[];
  /** Keys whose working schema differs from the registry (or is new): what publish would write. */
  changed: string[];
  /** Published keys no producer writes any more (and nobody reads): what publish would remove. */
  retired: string[];
}

/**
 * The event half of schema:check. A change fails when it breaks a declared consumer: a field it
 * reads removed, retyped or made optional (unless it reads it only when present), or a version it
 * reads no longer written (a version bump
 * must keep the old one readable while anyone reads it). The same change to a field nobody reads
 * is a warning. Every failure names the consumer.
 */
export function checkEvents(input: EventCheckInput): EventCheckReport {
  const failures: string[] = [];
  const warnings: string[] = [];
  const readers = new Map<string, Map<string, string[]>>();
  for (const read of input.reads) {
    const key = eventKey(read.type, read.version);
    const fields = readers.get(key) ?? new Map<string, string[]>();
    for (const f of [...read.fields, ...(read.optional ?? [])]) fields.set(f, [...(fields.get(f) ?? []), read.consumer]);
    readers.set(key, fields);
    const schema = input.working[key];
    if (!schema) {
      failures.push(
        `${read.consumer} reads ${read.type} v${read.version}, which no producer writes any more: keep that version published and written until ${read.consumer} moves on`,
      );
      continue;
    }
    const working = fieldsOf(schema);
    const published = input.published[key] ? fieldsOf(input.published[key]) : undefined;
    const optional = new Set(read.optional ?? []);
    for (const field of [...read.fields, ...optional]) {
      const now = working.get(field);
      const before = published?.get(field);
      if (!now) {
        failures.push(`${read.type} v${read.version}: field "${field}" is ${before ? 'removed' : 'missing'}, but ${read.consumer} reads it`);
      } else if (before && before.type !== now.type) {
        failures.push(`${read.type} v${read.version}: field "${field}" changes type ${before.type} → ${now.type}, but ${read.consumer} reads it`);
      } else if (!now.required && !optional.has(field)) {
        failures.push(`${read.type} v${read.version}: field "${field}" is optional, but ${read.consumer} reads it as always present`);
      }
    }
  }

  const changed: string[] = [];
  for (const [key, schema] of Object.entries(input.working)) {
    const before = input.published[key];
    if (!before) {
      changed.push(key);
      continue;
    }
    if (JSON.stringify(before) !== JSON.stringify(schema)) changed.push(key);
    const now = fieldsOf(schema);
    const read = readers.get(key);
    for (const [field, shape] of fieldsOf(before)) {
      if (read?.has(field)) continue;
      const after = now.get(field);
      if (!after) warnings.push(`${key}: field "${field}" removed (no declared consumer reads it)`);
      else if (after.type !== shape.type)
        warnings.push(`${key}: field "${field}" changes type ${shape.type} → ${after.type} (no declared consumer reads it)`);
    }
  }
  const retired = Object.keys(input.published).filter((key) => !input.working[key]);
  for (const key of retired) if (!readers.has(key)) warnings.push(`${key}: no longer written; nobody reads it, publish removes it from the registry`);
  return { ok: failures.length === 0, failures, warnings, changed, retired };
}

export function formatEventReport(report: EventCheckReport): string {
  const lines = [`events: ${report.ok ? 'ok' : 'FAILED'}${report.changed.length ? ` (to publish: ${report.changed.join(', ')})` : ''}`];
  for (const f of report.failures) lines.push(`  ✗ ${f}`);
  for (const w of report.warnings) lines.push(`  ! ${w}`);
  return lines.join('\n');
}
