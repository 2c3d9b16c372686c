import { loadEnv } from './env.ts';
import { startStorefrontServer } from './storefront-server.ts';

const env = loadEnv();
const storefront = await startStorefrontServer({ port: env.port, gatewayOrigin: env.gatewayOrigin });
console.log(`Storefront ready at ${storefront.url} (graph: ${env.gatewayOrigin}/graphql)`);
const stop = () => void storefront.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
