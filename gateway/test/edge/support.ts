import { createLogger } from '@ecom/platform/logger';
import { testCredentials } from '@ecom/platform/testing';
import { readPublishedSupergraph } from '@ecom/schema/compose';
import type { Writable } from 'node:stream';
import { createGateway, type GatewayOptions } from '../../src/server.ts';
import { GENEROUS_ADMISSION, type Graph, type GraphQLBody } from '../support/graph.ts';

export interface EdgeResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: GraphQLBody<T>;
  text: string;
}

/** A raw POST to a gateway: any body (an array, 2 MB, not JSON), any headers. */
export async function post<T = Record<string, unknown>>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<EdgeResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: GraphQLBody<T> = {};
  try {
    parsed = JSON.parse(text) as GraphQLBody<T>;
  } catch {
    // left empty: the caller asserts on status and text
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export interface ExtraGateway {
  url: string;
  stop(): Promise<void>;
}

/**
 * Another gateway in front of the same in-process subgraphs, built with other edge options
 * (production introspection, safelist, rate limits…), so a test file boots the subgraphs once.
 */
export async function extraGateway(graph: Graph, options: Partial<GatewayOptions> = {}): Promise<ExtraGateway> {
  const gateway = createGateway({
    supergraphSdl: readPublishedSupergraph(),
    signer: testCredentials('gateway').signer!,
    jwtSecret: graph.jwtSecret,
    logger: createLogger('gateway', 'silent'),
    subgraphUrls: graph.gatewayUrls,
    admission: GENEROUS_ADMISSION,
    ...options,
  });
  const { url } = await gateway.listen(0, '127.0.0.1');
  return { url, stop: () => gateway.stop() };
}

/** A pino destination that keeps every log line, to assert on what the gateway logged. */
export function logSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = {
    write(chunk: string) {
      for (const line of chunk.split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    },
  } as unknown as Writable;
  return { stream, lines };
}

export const codeOf = (res: EdgeResponse) => res.body.errors?.[0]?.extensions?.code;
