/**
 * Subgraphs that cost next to nothing, for the side-by-side section: one process listening once
 * per subgraph, which answers a POST whose body it has seen before with the answer it recorded, and
 * passes any other request (signature and all) to the real subgraph, recording what comes back.
 * With the real subgraphs on one core, the subgraphs and not the gateways set the pace (run at
 * 03b7f35: both gateways near 60 listings/s), so the ratio would say nothing about the gateways;
 * in front of answers replayed from memory, as in The Guild's federation benchmark, the gateways
 * are what is measured. Bodies are deterministic for a given plan and variables (the data source
 * serialises the request the same way each time), so after a warm-up every fetch is a hit.
 *
 * Started by the bench with one JSON argument (ReplayConfig); prints `READY <json of urls>` once
 * every listener serves, with the address of a listener that answers hits and misses per subgraph.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayConfig {
  /** The real subgraph's /graphql per name. */
  upstreams: Record<string, string>;
}

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers of the upstream answer the gateways read (content type, cache policy), nothing hop-by-hop. */
const KEPT = ['content-type', 'cache-control'];

const config = JSON.parse(process.argv[2] ?? '') as ReplayConfig;
const stats: Record<string, { hits: number; misses: number }> = {};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Recorded): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
  res.end(answer.body);
}

function listen(name: string, upstream: string): Promise<string> {
  const recorded = new Map<string, Recorded>();
  const counts = (stats[name] = { hits: 0, misses: 0 });
  const readyz = new URL('/readyz', upstream).toString();
  const server = createServer((req, res) => {
    void (async () => {
      // The gateways' readiness and health probes reach the real subgraph: it is up, only bypassed.
      if (req.method !== 'POST') {
        const probe = await fetch(req.url === '/readyz' ? readyz : new URL(req.url ?? '/', upstream));
        res.writeHead(probe.status, { 'content-type': probe.headers.get('content-type') ?? 'text/plain' });
        res.end(Buffer.from(await probe.arrayBuffer()));
        return;
      }
      const body = await readBody(req);
      const key = body.toString('utf8');
      const hit = recorded.get(key);
      if (hit) {
        counts.hits += 1;
        send(res, hit);
        return;
      }
      counts.misses += 1;
      const headers: Record<string, string> = {};
      for (const [header, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(header)) headers[header] = value;
      }
      const answer = await fetch(upstream, { method: 'POST', headers, body });
      const fresh: Recorded = {
        status: answer.status,
        headers: Object.fromEntries(KEPT.flatMap((h) => (answer.headers.has(h) ? [[h, answer.headers.get(h)!]] : []))),
        body: Buffer.from(await answer.arrayBuffer()),
      };
      // Only a clean answer is worth replaying; a refusal or an error is passed on once and forgotten.
      if (fresh.status === 200 && !fresh.body.includes('"errors"')) recorded.set(key, fresh);
      send(res, fresh);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`));
  });
}

const urls: Record<string, string> = {};
for (const [name, upstream] of Object.entries(config.upstreams)) urls[name] = await listen(name, upstream);
const statsServer = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(stats));
});
statsServer.listen(0, '127.0.0.1', () => {
  const statsUrl = `http://127.0.0.1:${(statsServer.address() as AddressInfo).port}/stats`;
  console.log(`READY ${JSON.stringify({ urls, stats: statsUrl })}`);
});
