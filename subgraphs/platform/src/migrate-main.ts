import { resolve } from 'node:path';
import { z } from 'zod';
import { migrateServer } from './db.ts';
import { parseEnv, REPO_ROOT, SUBGRAPH_NAMES } from './env.ts';
import { createLogger } from './logger.ts';

/**
 * A release's migrate step (`npm run migrate --workspace @ecom/platform -- <subgraph>`; the
 * Kubernetes init container): one subgraph's schema to its latest migration, then exit. It takes
 * the same advisory lock as a subgraph's boot, so replicas and this step never migrate twice.
 */
const name = z.enum(SUBGRAPH_NAMES).safeParse(process.argv[2]);
if (!name.success) {
  console.error(`usage: migrate <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}
const env = parseEnv({
  DATABASE_URL: z.string({ error: 'required: migrations run against a Postgres server (PGlite migrates in process)' }).url(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
const logger = createLogger(`${name.data}-migrate`, env.LOG_LEVEL);
await migrateServer(env.DATABASE_URL, name.data, resolve(REPO_ROOT, 'subgraphs', name.data, 'drizzle'));
logger.info('migrations applied');
