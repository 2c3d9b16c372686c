import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import { buildSchema, getIntrospectionQuery, buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { useEffect, useState } from 'react';
import { AnswerBar } from './answer-bar.tsx';
import { devTokenPlugin } from './dev-token-plugin.tsx';
import { gatewayFetcher, GRAPHQL_URL } from './gateway-fetcher.ts';
import { registeredTabs } from './registered-operations.ts';

const plugins = [explorerPlugin(), devTokenPlugin];
const tabs = registeredTabs();

type SchemaState = { schema: GraphQLSchema; source: string } | { error: string } | undefined;

/**
 * Introspects the gateway; when it refuses (safelist mode, or introspection off), falls back on the
 * API schema written at build time, so the editor still completes and validates.
 */
async function loadSchema(): Promise<{ schema: GraphQLSchema; source: string }> {
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollographql-client-name': 'explorer' },
    body: JSON.stringify({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' }),
  }).catch(() => undefined);
  const body = response?.ok ? ((await response.json()) as { data?: IntrospectionQuery }) : undefined;
  if (body?.data) return { schema: buildClientSchema(body.data), source: 'live introspection' };
  // The page is served at /graphql, its assets under Vite's base (/explorer/).
  const sdl = await fetch(`${import.meta.env.BASE_URL}api-schema.graphql`).then((r) => r.text());
  return { schema: buildSchema(sdl), source: 'bundled at build (the gateway refuses introspection)' };
}

export function App() {
  const [state, setState] = useState<SchemaState>();
  useEffect(() => {
    loadSchema().then(setState, (err: unknown) => setState({ error: String(err) }));
  }, []);
  if (state === undefined) return <p className="loading">Loading the schema…</p>;
  if ('error' in state) return <p className="loading">Could not load the schema: {state.error}</p>;
  return (
    <div className="explorer">
      <AnswerBar schemaSource={state.source} />
      <div className="graphiql-host">
        <GraphiQL
          fetcher={gatewayFetcher}
          schema={state.schema}
          defaultTabs={tabs}
          initialQuery={tabs[0]?.query}
          initialVariables={tabs[0]?.variables}
          plugins={plugins}
          defaultEditorToolsVisibility="variables"
          storage={sessionStorage}
        >
          <GraphiQL.Logo>ecom graph</GraphiQL.Logo>
        </GraphiQL>
      </div>
    </div>
  );
}
