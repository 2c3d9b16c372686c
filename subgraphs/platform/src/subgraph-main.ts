import { resolve } from 'node:path';
import { faultsFrom, fieldBudgetsFrom, gatewaySecretFrom, parseEnv, platformEnvShape, REPO_ROOT, SUBGRAPH_PORTS, subgraphUrlsFrom, telemetryFrom } from './env.ts';
import { createLogger } from './logger.ts';
import type { RequestContext } from './request-context.ts';
import { bootSubgraph, type SubgraphDefinition } from './subgraph-app.ts';
import { startTelemetry } from './telemetry.ts';

/**
 * What a subgraph's src/index.ts runs: read the environment, boot, listen on the contract's port,
 * and drain on SIGTERM/SIGINT.
 */
export async function runSubgraph<TSchema extends Record<string, unknown>, TContext extends RequestContext>(
  def: SubgraphDefinition<TSchema, TContext>,
  settings: Record<string, unknown> = {},
): Promise<void> {
  const telemetry = startTelemetry(telemetryFrom(def.name));
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
  await booted.listen(SUBGRAPH_PORTS[def.name]);
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await booted.close();
    await telemetry.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
