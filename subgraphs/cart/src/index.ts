import { runSubgraph } from '@ecom/platform/subgraph-main';
import { cartSubgraph } from './server.ts';

await runSubgraph(cartSubgraph);
