import { runSubgraph } from '@ecom/platform/subgraph-main';
import { cartSettingsFromEnv } from './env.ts';
import { cartSubgraph } from './server.ts';

await runSubgraph(cartSubgraph, { ...cartSettingsFromEnv() });
