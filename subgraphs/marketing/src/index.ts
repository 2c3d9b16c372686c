import { runSubgraph } from '@ecom/platform/subgraph-main';
import { marketingSubgraph } from './server.ts';

await runSubgraph(marketingSubgraph);
