import { connect } from 'node:net';

export interface UploadOutcome {
  /** The status line the server answered with, if any. */
  statusLine?: string;
  /** Body bytes written before the server closed the connection (or all of them). */
  bytesSent: number;
  /** The server closed the connection before the client finished sending. */
  closedEarly: boolean;
  /** From the first byte sent to the server's close (or the end of sending). */
  elapsedMs: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

/**
 * A raw HTTP/1.1 keep-alive POST that streams `totalBytes` of body (chunked, or with a declared
 * length), stopping as soon as the server closes the connection; then waits up to `closeWaitMs`
 * for the close if sending finished first.
 */
export function uploadOversized(
  url: string,
  totalBytes: number,
  options: { declareLength?: boolean; closeWaitMs?: number } = {},
): Promise<UploadOutcome> {
  const { hostname, port, pathname } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    let closed = false;
    let bytesSent = 0;
    const finish = (closedEarly: boolean) => {
      socket.destroy();
      resolve({ statusLine: response.split('\r\n')[0] || undefined, bytesSent, closedEarly, elapsedMs: performance.now() - started });
    };
    socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
    socket.on('error', () => {});
    const onClosed = () => {
      if (closed) return;
      closed = true;
      finish(bytesSent < totalBytes);
    };
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    socket.on('connect', () => {
      void (async () => {
        const framing = options.declareLength ? `content-length: ${totalBytes}` : 'transfer-encoding: chunked';
        socket.write(
          `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\nconnection: keep-alive\r\n${framing}\r\n\r\n`,
        );
        while (!closed && bytesSent < totalBytes) {
          const piece = options.declareLength ? CHUNK : Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]);
          bytesSent += CHUNK.length;
          if (!socket.write(piece)) await new Promise<void>((r) => (closed ? r() : socket.once('drain', r).once('close', r)));
        }
        if (closed) return;
        if (!options.declareLength) socket.write('0\r\n\r\n');
        setTimeout(() => (closed ? undefined : ((closed = true), finish(false))), options.closeWaitMs ?? 5_000);
      })();
    });
  });
}
