import { runSubgraph } from '@ecom/platform/subgraph-main';
import { inventorySettingsFromEnv } from './env.ts';
import { inventorySubgraph } from './server.ts';

await runSubgraph(inventorySubgraph, inventorySettingsFromEnv());
