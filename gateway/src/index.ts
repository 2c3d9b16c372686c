import { readFileSync } from 'node:fs';
import { createLogger } from '@ecom/platform/logger';
import { loadEnv } from './env.ts';
import { createGateway } from './server.ts';

const env = loadEnv();
const logger = createLogger('gateway', env.logLevel);
const gateway = createGateway({
  supergraphSdl: readFileSync(env.supergraphPath, 'utf8'),
  subgraphUrls: env.subgraphUrls,
  gatewaySecret: env.gatewaySecret,
  jwtSecret: env.jwtSecret,
  logger,
  requestTimeoutMs: env.requestTimeoutMs,
});
const { port } = await gateway.listen(env.port);
logger.info({ port, subgraphs: env.subgraphUrls }, 'gateway listening');
console.log(`Gateway ready at http://localhost:${port}/graphql`);

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'draining');
  await gateway.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
