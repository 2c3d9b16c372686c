import { runSubgraph } from '@ecom/platform/subgraph-main';
import { pricingSubgraph } from './server.ts';

await runSubgraph(pricingSubgraph);
