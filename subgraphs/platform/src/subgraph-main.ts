import { resolve } from 'node:path';
import {
  faultsFrom,
  fieldBudgetsFrom,
  gatewaySecretFrom,
  metricsPortOf,
  parseEnv,
  platformEnvShape,
  REPO_ROOT,
  subgraphPortFrom,
  subgraphUrlsFrom,
} from './env.ts';
import { createLogger } from './logger.ts';
import { startMetricsServer } from './metrics.ts';
import type { RequestContext } from './request-context.ts';
import { bootSubgraph, type SubgraphDefinition } from './subgraph-app.ts';

/**
 * What a subgraph's src/index.ts runs: read the environment, boot, listen on the port of its own
 * `SUBGRAPH_URL_<NAME>` (else the contract's), and drain on SIGTERM/SIGINT.
 */
export async function runSubgraph<TSchema extends Record<string, unknown>, TContext extends RequestContext>(
  def: SubgraphDefinition<TSchema, TContext>,
  settings: Record<string, unknown> = {},
): Promise<void> {
  const env = parseEnv(platformEnvShape);
  const logger = createLogger(def.name, env.LOG_LEVEL);
  const booted = await bootSubgraph(def, {
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(REPO_ROOT, env.DATA_DIR, def.name),
    redisUrl: env.REDIS_URL,
    gatewaySecret: gatewaySecretFrom(env),
    subgraphUrls: subgraphUrlsFrom(),
    logger,
    settings,
    fieldBudgets: fieldBudgetsFrom(env),
    faults: faultsFrom(env),
  });
  await booted.listen(subgraphPortFrom(def.name));
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
    await metrics?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
