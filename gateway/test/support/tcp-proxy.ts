import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy put in front of a subgraph through the gateway's URL override, so a test can
 * kill the subgraph (connections refused) and bring it back on the same address, as a crash and
 * restart would look from the gateway.
 */
export interface TcpProxy {
  url: string;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const make = () =>
    createServer((client) => {
      sockets.add(client);
      const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
  let server: Server = make();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => r());
    });
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    kill: stop,
    async revive() {
      server = make();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
