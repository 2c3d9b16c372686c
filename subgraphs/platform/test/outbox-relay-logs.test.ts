import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import { relayOutboxEvents, type OutboxEntry, type OutboxStore } from '../src/events/outbox-relay.ts';
import { createLogger } from '../src/logger.ts';
import { every } from '../src/periodic.ts';
import { createTestDatabase } from '../src/test-database.ts';

let handle: DbHandle<Record<string, unknown>>;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const { databaseUrl } = testEnv();
  const database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  drop = database && (() => database.drop());
  handle = await openDb({
    schemaName: 'relay_logs_test',
    schema: {},
    migrationsFolder: fileURLToPath(new URL('./fixtures/no-migrations', import.meta.url)),
    databaseUrl: database?.url,
  });
});
afterAll(async () => {
  await handle?.close();
  await drop?.();
});

/** A logger writing every line (debug and up) into `lines`, as the process would to stdout. */
function capturingLogger(lines: string[]) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return createLogger('relay-logs-test', 'debug', sink);
}

/** A failure as the cart hand-off meets it: a real query, bound to the cart id, that the database refuses. */
const failWithCartId = async (cartId: string): Promise<void> => {
  await handle.db.execute(sql`select ${cartId}::int as n`);
};

it('never writes an anonymous cart id into the log, whatever the failure quotes', async () => {
  const cartId = `cart_${randomBytes(18).toString('base64url')}`;
  const lines: string[] = [];
  const logger = capturingLogger(lines);
  const entry: OutboxEntry = {
    id: 1,
    eventId: randomUUID(),
    aggregateId: 'ord_1',
    type: 'order.placed',
    version: 1,
    payload: { orderId: 'ord_1', cartId },
    headers: {},
    createdAt: new Date(),
    attempts: 0,
  };
  const recorded: string[] = [];
  const store: OutboxStore = {
    unpublished: async () => [entry],
    markPublished: async () => true,
    recordFailure: async (_id, error) => void recorded.push(error),
  };
  const published = await relayOutboxEvents(
    { producer: 'test', store, publisher: undefined, logger, beforePublish: (e) => failWithCartId((e.payload as { cartId: string }).cartId) },
    { batchSize: 10, lastTried: new Map() },
  );
  expect(published).toBe(0);
  // The same failure thrown from periodic work, logged as an error object with its stack.
  const task = every(1, 'relay-logs-test task', logger, () => failWithCartId(cartId));
  await expect.poll(() => lines.filter((l) => l.includes('relay-logs-test task run failed')).length).toBeGreaterThan(0);
  await task.stop();

  const failures = lines.filter((l) => l.includes('outbox event not published'));
  expect(failures).toHaveLength(1);
  expect(failures[0]).toContain('Failed query');
  for (const text of [...lines, ...recorded]) expect(text).not.toContain(cartId.slice(5));
});
