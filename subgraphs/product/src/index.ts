import { runSubgraph } from '@ecom/platform/subgraph-main';
import { productSubgraph } from './server.ts';

await runSubgraph(productSubgraph);
