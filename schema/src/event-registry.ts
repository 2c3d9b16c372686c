import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CART_READS } from '@ecom/cart/events/reads';
import { STOCK_EVENT_SCHEMAS } from '@ecom/inventory/events/stock-events';
import { MARKETING_READS } from '@ecom/marketing/events/reads';
import { ORDER_EVENT_SCHEMAS } from '@ecom/order/events/order-events';
import { PRODUCT_READS } from '@ecom/product/events/reads';
import type { z } from 'zod';
import type { ConsumerRead, EventCheckInput } from './event-check.ts';
import { eventKey, toJsonSchema, type JsonSchema } from './event-schemas.ts';

/** The committed event registry: one JSON Schema per event type and version. */
export const defaultEventsDir = fileURLToPath(new URL('../events', import.meta.url));

/** What each producer writes now (its zod payload schemas), by `type.vN`. */
export function workingEventSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const producers: Record<string, Record<number, z.ZodType>>[] = [ORDER_EVENT_SCHEMAS, STOCK_EVENT_SCHEMAS];
  for (const producer of producers) {
    for (const [type, versions] of Object.entries(producer)) {
      for (const [version, schema] of Object.entries(versions)) out[eventKey(type, Number(version))] = toJsonSchema(schema);
    }
  }
  return out;
}

/** What each consumer declares it reads. */
export function consumerReads(): ConsumerRead[] {
  const consumers = { product: PRODUCT_READS, cart: CART_READS, marketing: MARKETING_READS };
  return Object.entries(consumers).flatMap(([consumer, reads]) => reads.map((r) => ({ consumer, ...r })));
}

export function readPublishedEvents(dir = defaultEventsDir): Record<string, JsonSchema> {
  if (!existsSync(dir)) return {};
  const out: Record<string, JsonSchema> = {};
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.json')) out[file.slice(0, -'.json'.length)] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonSchema;
  }
  return out;
}

export const loadEventCheckInput = (dir = defaultEventsDir): EventCheckInput => ({
  working: workingEventSchemas(),
  published: readPublishedEvents(dir),
  reads: consumerReads(),
});

/** Writes the working schemas and removes retired ones; returns the files touched. */
export function publishEvents(input: EventCheckInput, changed: string[], retired: string[], dir = defaultEventsDir): string[] {
  mkdirSync(dir, { recursive: true });
  const touched: string[] = [];
  for (const key of changed) {
    const file = join(dir, `${key}.json`);
    writeFileSync(file, `${JSON.stringify(input.working[key], null, 2)}\n`);
    touched.push(file);
  }
  for (const key of retired) {
    rmSync(join(dir, `${key}.json`), { force: true });
    touched.push(join(dir, `${key}.json`));
  }
  return touched;
}
