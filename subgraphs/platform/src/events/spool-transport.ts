import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { every } from '../periodic.ts';
import type { ConsumerDefinition } from './consumer-definition.ts';
import { domainOf, parseEnvelope, type EventEnvelope, type EventHeaders } from './envelope.ts';
import { queueName, type EventsConfig } from './events-config.ts';
import { errorMessage, handleEvent, SimulatedCrash } from './handle-event.ts';
import { eventsDeadLettered } from '../metrics.ts';
import { retryDelayMs } from './retry-policy.ts';
import type { DeadLetter, EventPublisher, RunningConsumer } from './transport.ts';

/**
 * The embedded transport: a durable spool on the local disk, shaped like the broker. Each consumer
 * declares a queue folder with its bindings; publishing writes one file per bound queue (written,
 * fsynced, then renamed into `ready/`, so a reader never sees half a message); a consumer acks by
 * deleting the file, retries by rewriting it with a later `notBefore`, and dead-letters by moving it
 * to `dead/`. Everything survives a restart of either side. File names sort in publish order.
 */

interface SpoolMessage {
  event: EventEnvelope;
  headers: EventHeaders;
  attempts: number;
  notBefore: number;
  lastError: string | null;
}

interface Binding {
  exchange: string;
  type: string;
}

const queueDir = (config: EventsConfig, consumer: string) => join(config.spoolDir, queueName(config, consumer));

async function writeDurably(dir: string, name: string, content: string): Promise<void> {
  const tmp = join(dir, '..', 'tmp', `${name}.${process.pid}`);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(dir, name));
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

let sequence = 0;
/** Sorts in publish order within a process (and across restarts, the clock moving forward). */
const nextName = (event: EventEnvelope) => `${String(Date.now()).padStart(15, '0')}-${String(sequence++ % 1e9).padStart(9, '0')}-${event.id}.json`;

export function createSpoolPublisher(config: EventsConfig): EventPublisher {
  const root = config.spoolDir;
  return {
    async publish(event, headers) {
      const name = nextName(event);
      const content = JSON.stringify({ event, headers, attempts: 0, notBefore: 0, lastError: null } satisfies SpoolMessage);
      const prefix = `${config.prefix}.`;
      const queues = (await readdir(root).catch(() => [] as string[])).filter((q) => q.startsWith(prefix));
      for (const queue of queues) {
        const bindings = await readFile(join(root, queue, 'bindings.json'), 'utf8')
          .then((s) => JSON.parse(s) as Binding[])
          .catch(() => [] as Binding[]);
        if (bindings.some((b) => b.exchange === domainOf(event.type) && b.type === event.type)) {
          await writeDurably(join(root, queue, 'ready'), name, content);
        }
      }
    },
    async close() {},
  };
}

/** Creates the queue folder and its bindings (idempotent), as a broker's queue declaration would. */
export async function declareSpoolQueue(config: EventsConfig, def: Pick<ConsumerDefinition, 'name' | 'reads'>): Promise<string> {
  const dir = queueDir(config, def.name);
  for (const sub of ['ready', 'dead', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
  const bindings: Binding[] = [...new Set(def.reads.map((r) => r.type))].map((type) => ({ exchange: domainOf(type), type }));
  await writeFile(join(dir, 'tmp', 'bindings.json'), JSON.stringify(bindings));
  await rename(join(dir, 'tmp', 'bindings.json'), join(dir, 'bindings.json'));
  return dir;
}

async function readMessage(path: string): Promise<SpoolMessage | undefined> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as SpoolMessage;
    return { ...raw, event: parseEnvelope(raw.event) };
  } catch {
    return undefined;
  }
}

const BATCH = 1_000;

export function startSpoolConsumer(def: ConsumerDefinition, config: EventsConfig, logger: Logger): RunningConsumer {
  const declared = declareSpoolQueue(config, def);
  let loop: { stop(): Promise<void> } | undefined;

  const drainAggregate = async (dir: string, names: string[], messages: Map<string, SpoolMessage>) => {
    for (const name of names) {
      const message = messages.get(name)!;
      if (message.notBefore > Date.now()) return;
      const path = join(dir, 'ready', name);
      try {
        await handleEvent(def, config, logger, message.event, message.headers);
        await rm(path, { force: true });
      } catch (err) {
        // A "crashed" consumer never got to delete the file: the next poll delivers it again.
        if (err instanceof SimulatedCrash) return;
        const attempts = message.attempts + 1;
        const failed: SpoolMessage = { ...message, attempts, lastError: errorMessage(err) };
        if (attempts >= config.retry.maxAttempts) {
          await writeDurably(join(dir, 'dead'), name, JSON.stringify(failed));
          await rm(path, { force: true });
          eventsDeadLettered.inc({ consumer: def.name, type: message.event.type });
          logger.error({ eventId: message.event.id, type: message.event.type, attempts, err: failed.lastError }, 'event dead-lettered');
          continue;
        }
        failed.notBefore = Date.now() + retryDelayMs(config.retry, attempts);
        await writeDurably(join(dir, 'ready'), name, JSON.stringify(failed));
        logger.warn({ eventId: message.event.id, type: message.event.type, attempts, err: failed.lastError }, 'event failed; will retry');
        return;
      }
    }
  };

  const drain = async () => {
    const dir = await declared;
    const names = (await readdir(join(dir, 'ready')))
      .filter((n) => n.endsWith('.json'))
      .sort()
      .slice(0, BATCH);
    const messages = new Map<string, SpoolMessage>();
    const byAggregate = new Map<string, string[]>();
    for (const name of names) {
      const message = await readMessage(join(dir, 'ready', name));
      if (!message) {
        // Unreadable for good: straight to the dead letters, where an operator can look at it.
        await rename(join(dir, 'ready', name), join(dir, 'dead', name)).then(
          () => eventsDeadLettered.inc({ consumer: def.name, type: 'unknown' }),
          () => {},
        );
        continue;
      }
      messages.set(name, message);
      const group = byAggregate.get(message.event.aggregateId) ?? [];
      group.push(name);
      byAggregate.set(message.event.aggregateId, group);
    }
    const groups = [...byAggregate.values()];
    for (let i = 0; i < groups.length; i += config.prefetch) {
      await Promise.all(groups.slice(i, i + config.prefetch).map((g) => drainAggregate(dir, g, messages)));
    }
  };

  const ready = declared.then(() => {
    loop = every(config.pollIntervalMs, `${def.name} event consumer`, logger, drain);
  });
  return {
    ready,
    async stop() {
      await ready.catch(() => {});
      await loop?.stop();
    },
  };
}

export async function listSpoolDeadLetters(config: EventsConfig, consumer: string): Promise<DeadLetter[]> {
  const dir = join(queueDir(config, consumer), 'dead');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const letters: DeadLetter[] = [];
  for (const name of names) {
    const m = await readMessage(join(dir, name));
    if (m) letters.push({ id: m.event.id, type: m.event.type, aggregateId: m.event.aggregateId, attempts: m.attempts, lastError: m.lastError });
  }
  return letters;
}

/** Puts every dead letter back on the queue with a fresh attempt count; returns how many. */
export async function replaySpoolDeadLetters(config: EventsConfig, consumer: string): Promise<number> {
  const dir = queueDir(config, consumer);
  const names = (await readdir(join(dir, 'dead')).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  for (const name of names) {
    const m = await readMessage(join(dir, 'dead', name));
    if (m) await writeDurably(join(dir, 'ready'), name, JSON.stringify({ ...m, attempts: 0, notBefore: 0, lastError: null } satisfies SpoolMessage));
    await rm(join(dir, 'dead', name), { force: true });
  }
  return names.length;
}
