import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '@ecom/platform/http-host';

export interface RecordedRequest {
  /** Path and query, e.g. `/graphql` or `/readyz`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingProxy {
  /** Point a gateway URL here: `graph.gatewayUrls.product = proxy.url`. */
  url: string;
  /** Every request that passed through, oldest first. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

/** Forwards every request unchanged to `target()` and remembers what the caller sent. */
export async function startRecordingProxy(target: () => string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = ((await readBody(req)) ?? Buffer.alloc(0)).toString('utf8');
      requests.push({ url: req.url ?? '/', headers: req.headers, body });
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !HOP_BY_HOP.has(e[0])),
      );
      const upstream = await fetch(new URL(req.url ?? '/', target()), {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      res.statusCode = upstream.status;
      upstream.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') res.setHeader(name, value);
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => {
      res.statusCode = 502;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
