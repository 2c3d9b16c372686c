import { join, resolve } from 'node:path';
import {
  credentialsFrom,
  faultsFrom,
  fieldBudgetsFrom,
  listenPortOf,
  loadSheddingFrom,
  parseEnv,
  platformEnvShape,
  REPO_ROOT,
  subgraphUrlsFrom,
  telemetryFrom,
  metricsPortOf,
} from './env.ts';
import { eventsConfigFrom } from './events/events-config.ts';
import { lowerCpuPriority } from './cpu-priority.ts';
import { createLogger } from './logger.ts';
import { startMetricsServer } from './metrics.ts';
import type { RequestContext } from './request-context.ts';
import { bootSubgraph, type SubgraphDefinition } from './subgraph-app.ts';
import { startTelemetry } from './telemetry.ts';

/**
 * What a subgraph's src/index.ts runs: read the environment, boot, listen on the port of its own
 * SUBGRAPH_URL_<NAME> (the contract's port by default), and drain on SIGTERM/SIGINT.
 */
export async function runSubgraph<TSchema extends Record<string, unknown>, TContext extends RequestContext>(
  def: SubgraphDefinition<TSchema, TContext>,
  settings: Record<string, unknown> = {},
): Promise<void> {
  const telemetry = startTelemetry(telemetryFrom(def.name));
  const env = parseEnv(platformEnvShape);
  const logger = createLogger(def.name, env.LOG_LEVEL);
  if (env.CPU_NICE > 0) logger.info({ nice: env.CPU_NICE, threads: lowerCpuPriority(env.CPU_NICE) }, 'cpu priority lowered');
  const subgraphUrls = subgraphUrlsFrom();
  const booted = await bootSubgraph(def, {
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseIdleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    dataDir: resolve(REPO_ROOT, env.DATA_DIR, def.name),
    redisUrl: env.REDIS_URL,
    credentials: credentialsFrom(env, def.name),
    subgraphUrls,
    logger,
    settings,
    fieldBudgets: fieldBudgetsFrom(env),
    faults: faultsFrom(env),
    loadShedding: loadSheddingFrom(env),
    events: eventsConfigFrom({ ...env, EVENTS_DIR: resolve(REPO_ROOT, env.EVENTS_DIR ?? join(env.DATA_DIR, 'events')) }),
  });
  await booted.listen(listenPortOf(def.name, subgraphUrls), env.LISTEN_HOST);
  const metricsPort = metricsPortOf(def.name, env.METRICS_PORT);
  const metrics = metricsPort === undefined ? undefined : await startMetricsServer(metricsPort);
  // `on`, not `once`: a second signal (Ctrl-C pressed twice, or relayed by a supervisor as well as
  // the terminal) must not kill the drain half way.
  let draining = false;
  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info({ signal }, 'shutting down');
    await booted.close();
    await telemetry.shutdown();
    await metrics?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
