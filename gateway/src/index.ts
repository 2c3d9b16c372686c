import { readFileSync } from 'node:fs';
import { createCache } from '@ecom/platform/cache';
import { createLogger } from '@ecom/platform/logger';
import { startMetricsServer } from '@ecom/platform/metrics';
import { startTelemetry } from '@ecom/platform/telemetry';
import { loadEnv, loadTelemetryEnv } from './env.ts';
import { probeSubgraphs } from './edge/readiness.ts';
import { createOperationRegistry, createSafelist, loadManifest } from './edge/safelist.ts';
import { createGateway } from './server.ts';
import { supergraphFromFile } from './supergraph-source.ts';

const telemetry = startTelemetry(loadTelemetryEnv());
const env = loadEnv();
const logger = createLogger('gateway', env.logLevel);
const manifest = env.edge.operationManifestPath ? loadManifest(env.edge.operationManifestPath) : undefined;
const gateway = createGateway({
  supergraphSdl:
    env.edge.supergraphPollMs > 0
      ? supergraphFromFile(env.supergraphPath, { pollIntervalMs: env.edge.supergraphPollMs, logger })
      : readFileSync(env.supergraphPath, 'utf8'),
  subgraphUrls: env.subgraphUrls,
  signer: env.signer,
  jwtSecret: env.jwtSecret,
  logger,
  requestTimeoutMs: env.requestTimeoutMs,
  resilience: env.resilience,
  admission: env.admission,
  cache: createCache(env.redisUrl, logger, 'ecom:gateway:'),
  jwksUrl: env.edge.jwksUrl,
  tokenClaims: env.edge.tokenClaims,
  redisUrl: env.redisUrl,
  queryLimits: env.edge.queryLimits,
  rateLimit: env.edge.rateLimit,
  safelist: env.edge.safelistManifestPath ? createSafelist(loadManifest(env.edge.safelistManifestPath)) : undefined,
  registeredOperations: manifest && createOperationRegistry(manifest),
  corsOrigins: env.edge.corsOrigins,
  introspection: env.edge.introspection,
  explorer: env.edge.explorer,
});
const { port } = await gateway.listen(env.port);
const metrics = env.metricsPort === undefined ? undefined : await startMetricsServer(env.metricsPort);
logger.info({ port, metricsPort: metrics?.port, subgraphs: env.subgraphUrls }, 'gateway listening');
console.log(`Gateway ready at http://localhost:${port}/graphql`);

// Subgraphs started alongside take a while to migrate and seed; say once when the graph is whole.
let announced = false;
const announce = setInterval(() => {
  void probeSubgraphs(env.subgraphUrls).then(({ ready }) => {
    if (!ready || announced) return;
    announced = true;
    clearInterval(announce);
    console.log(`All subgraphs are ready: http://localhost:${port}/graphql`);
  });
}, 2_000);
announce.unref();

// `on`, not `once`: a second Ctrl-C (or a signal relayed twice by npm/turbo) must not kill the drain.
let draining = false;
const shutdown = async (signal: string) => {
  if (draining) return;
  draining = true;
  logger.info({ signal }, 'draining');
  clearInterval(announce);
  await gateway.stop();
  await telemetry.shutdown();
  await metrics?.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
