import { subgraphSdl } from '@ecom/platform/sdl';

export const sdl = subgraphSdl(new URL('./schema.graphql', import.meta.url), ['errors', 'money', 'audit']);
