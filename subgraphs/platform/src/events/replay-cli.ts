import { join, resolve } from 'node:path';
import { parseEnv, platformEnvShape, REPO_ROOT } from '../env.ts';
import { listDeadLetters, replayDeadLetters } from './event-transport.ts';
import { eventsConfigFrom } from './events-config.ts';

/**
 * The operator's dead-letter commands, on the same transport the subgraphs use (AMQP_URL, else the
 * local spool in EVENTS_DIR):
 *   npm run events:dead-letters -- <consumer>   list what is in the consumer's dead-letter queue
 *   npm run events:replay -- <consumer>         put all of it back on the consumer's queue
 */
const [command, consumer] = process.argv.slice(2);
if ((command !== 'list' && command !== 'replay') || !consumer || !/^[a-z]+$/.test(consumer)) {
  console.error('usage: events:dead-letters <consumer> | events:replay <consumer>   (consumer: product, cart, marketing, …)');
  process.exit(2);
}
const env = parseEnv(platformEnvShape);
const config = eventsConfigFrom({ ...env, EVENTS_DIR: resolve(REPO_ROOT, env.EVENTS_DIR ?? join(env.DATA_DIR, 'events')) });
const where = config.amqpUrl ? 'RabbitMQ' : `the spool in ${config.spoolDir}`;
if (command === 'list') {
  const letters = await listDeadLetters(config, consumer);
  console.log(`${letters.length} dead letter(s) for ${consumer} on ${where}`);
  for (const l of letters) console.log(`  ${l.id}  ${l.type}  aggregate=${l.aggregateId}  attempts=${l.attempts}  ${l.lastError ?? ''}`);
} else {
  const moved = await replayDeadLetters(config, consumer);
  console.log(`replayed ${moved} dead letter(s) to ${consumer} on ${where}`);
}
