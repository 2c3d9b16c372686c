import { runSubgraph } from '@ecom/platform/subgraph-main';
import { orderSettingsFromEnv } from './env.ts';
import { orderSubgraph } from './server.ts';

await runSubgraph(orderSubgraph, { ...orderSettingsFromEnv() });
