/**
 * Plain Apollo Gateway for the side-by-side section: `ApolloGateway` + `ApolloServer`'s standalone
 * server over the same supergraph and subgraph processes as ours, with nothing added but what our
 * subgraphs require to answer at all, the gateway's signature on each request (signedHeaders, as our
 * data source signs). No auth, limits, rate limits, APQ cache, deadlines, breakers, logging or
 * metrics. Run compiled, as ours is (bench/tsconfig.build.json, `node --conditions=compiled`), so
 * neither pays for a TypeScript loader or source maps.
 *
 * Started by the bench with one JSON argument (PlainGatewayConfig); prints `READY <url>` once it
 * serves.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Signer } from '@ecom/platform/gateway-credential';
import { HEADERS } from '@ecom/platform/request-context';
import { signedHeaders } from '../src/subgraph-fetch/request-signing.ts';

export interface PlainGatewayConfig {
  port: number;
  supergraphPath: string;
  subgraphUrls: Record<string, string>;
  signer: Signer;
  /** The remaining budget each subgraph request announces (x-deadline-ms); ours sends what is left of its deadline. */
  budgetMs: number;
}

interface PlainContext extends Record<string, unknown> {
  requestId: string;
}

/** RemoteGraphQLDataSource with the signature our subgraphs check, and nothing else. */
class SigningDataSource extends RemoteGraphQLDataSource<PlainContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly config: PlainGatewayConfig,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<PlainContext>): void {
    // Health checks come without an incoming request's context.
    const requestId: unknown = context.requestId;
    // RemoteGraphQLDataSource serialises the body only after this hook, as below: signing it means
    // serialising it here too (our data source serialises once and signs that string).
    const http = request.http!;
    const { http: _http, query, ...rest } = request;
    const body = JSON.stringify({ query, ...rest });
    const { pathname, search } = new URL(http.url);
    const signed = signedHeaders(
      { method: http.method, path: pathname + search, body },
      { requestId: typeof requestId === 'string' ? requestId : '' },
      this.config.signer,
      this.subgraph,
      this.config.budgetMs,
    );
    for (const [name, value] of Object.entries(signed)) http.headers.set(name, value);
  }
}

const config = JSON.parse(process.argv[2] ?? '') as PlainGatewayConfig;
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
  buildService: ({ name, url }) => new SigningDataSource(name, config.subgraphUrls[name] ?? url!, config),
});
const server = new ApolloServer<PlainContext>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: config.port, host: '127.0.0.1' },
  context: async ({ req }) => {
    const given = req.headers[HEADERS.requestId];
    return { requestId: typeof given === 'string' && given !== '' ? given : randomUUID() };
  },
});
console.log(`READY ${url}`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
