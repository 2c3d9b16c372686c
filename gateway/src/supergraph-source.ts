import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@ecom/platform/logger';

export interface SupergraphFileOptions {
  /** How often the file is looked at; a change is served within about this long. */
  pollIntervalMs: number;
  logger: Logger;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The supergraph from a file, reloaded when the file changes (ApolloGateway's `supergraphSdl`
 * function form). Requests in flight finish on the schema they started with; the next ones get
 * the new one, so nothing is dropped. A file that does not build keeps the old supergraph and is
 * logged once; fixing the file is picked up like any other change.
 *
 * Polls stat() rather than fs.watch: `compose` and editors replace the file (rename), which an
 * fs.watch on the old inode never reports, and polling behaves the same on every platform.
 */
export function supergraphFromFile(path: string, options: SupergraphFileOptions): SupergraphSdlHook {
  const logger = options.logger.child({ component: 'supergraph-source', path });
  return async ({ update }) => {
    const initial = readFileSync(path, 'utf8');
    let seen = { mtimeMs: statSync(path).mtimeMs, size: Buffer.byteLength(initial), hash: hashOf(initial) };
    let polling = false;
    let missingLogged = false;

    const poll = async () => {
      if (polling) return;
      polling = true;
      try {
        const info = await stat(path);
        missingLogged = false;
        if (info.mtimeMs === seen.mtimeMs && info.size === seen.size) return;
        const sdl = await readFile(path, 'utf8');
        const hash = hashOf(sdl);
        const changed = hash !== seen.hash;
        seen = { mtimeMs: info.mtimeMs, size: info.size, hash };
        if (!changed) return;
        try {
          update(sdl);
          logger.info({ hash }, 'supergraph reloaded');
        } catch (err) {
          logger.error({ err, hash }, 'supergraph file changed but does not build; still serving the previous supergraph');
        }
      } catch (err) {
        // Between an unlink and a rename the file may be missing for a moment: keep serving, say so once.
        if (!missingLogged) logger.warn({ err }, 'supergraph file unreadable; still serving the previous supergraph');
        missingLogged = true;
      } finally {
        polling = false;
      }
    };
    const timer = setInterval(() => void poll(), options.pollIntervalMs);
    timer.unref();
    return {
      supergraphSdl: initial,
      cleanup: async () => clearInterval(timer),
    };
  };
}
