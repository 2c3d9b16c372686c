import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, SUBGRAPH_NAMES, testEnv, type SubgraphName } from '@ecom/platform/env';
import { randomSigningKeysEnv } from '@ecom/platform/testing';
import { createTestDatabase } from '@ecom/platform/test-database';
import { mintToken } from '../../src/edge/auth.ts';
import type { GraphQLBody } from './graph.ts';

const run = promisify(execFile);
const PM2 = join(REPO_ROOT, 'node_modules/.bin/pm2');

/** One process as pm2 reports it (`pm2 jlist`). */
export interface ProcessStatus {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

export interface SupervisedGraph {
  /** The gateway's /graphql endpoint. */
  url: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** What `npm start` printed (pm2's own lines and every process's logs): all of it, or since `mark()`. */
  output(since?: number): string;
  /** A position in the output, for `output(since)`. */
  mark(): number;
  token(sub: string): Promise<string>;
  /** POSTs to the gateway; throws only when the gateway itself cannot be reached. */
  request<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; body: GraphQLBody<T> }>;
  /** The processes pm2 supervises, by name. */
  processes(): Promise<Map<string, ProcessStatus>>;
  /** True while any process of `npm start`'s group (npm, sh, pm2-runtime) is running. */
  supervisorAlive(): boolean;
  /** SIGTERM to `npm start`, as a service manager would send; resolves with its exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Whatever is still running after a failed test: SIGKILL, drop the database, remove the files. */
  dispose(): Promise<void>;
}

/**
 * What `npm start`'s pm2 file gives one process beyond the shared environment (the subgraphs'
 * CPU_NICE), read from the file itself so the bench and tests cannot drift from it; the metrics port
 * is left out, each caller picks its own.
 */
export function supervisorEnv(name: string): Record<string, string> {
  const ecosystem = createRequire(import.meta.url)(join(REPO_ROOT, 'infra/pm2/ecosystem.config.cjs')) as {
    apps: { name: string; env?: Record<string, string> }[];
  };
  const { METRICS_PORT: _port, ...env } = ecosystem.apps.find((app) => app.name === name)?.env ?? {};
  return env;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` every 250 ms until it holds; the last error (or a timeout) otherwise. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`,
  );
}

export async function answers200(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  await res.body?.cancel();
  return res.status === 200;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The graph exactly as `npm start` runs it (pm2-runtime, one process per workspace), on free ports,
 * its own PM2_HOME and data directory; on a fresh database of the Postgres server when DATABASE_URL
 * is set, on PGlite otherwise; on Redis when REDIS_URL is set. Resolves once the gateway's /readyz
 * says every subgraph answers.
 */
export async function startSupervisedGraph(readyTimeoutMs: number): Promise<SupervisedGraph> {
  const home = await mkdtemp(join(tmpdir(), 'ecom-supervised-'));
  const env = testEnv();
  const database = env.databaseUrl ? await createTestDatabase(env.databaseUrl) : undefined;
  const gatewayPort = await freePort();
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) subgraphUrls[name] = `http://127.0.0.1:${await freePort()}/graphql`;
  const jwtSecret = randomBytes(24).toString('hex');
  const pm2Env = { ...process.env, PM2_HOME: join(home, 'pm2') };

  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    // Its own process group: the test signals npm, sh and pm2-runtime together, as a terminal would.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PM2_HOME: pm2Env.PM2_HOME,
      PORT: String(gatewayPort),
      STOREFRONT_PORT: String(await freePort()),
      GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, subgraphUrls[n]])),
      DATA_DIR: join(home, 'data'),
      DATABASE_URL: database?.url ?? '',
      REDIS_URL: env.redisUrl ?? '',
      JWT_SECRET: jwtSecret,
      ...randomSigningKeysEnv(),
      LOG_LEVEL: 'warn',
      METRICS_PORT: 'off', // tests never take the contract's metrics ports
      // Reads keep their fields on a loaded test machine (as in support/graph.ts): only the killed
      // subgraph may fail one.
      QUERY_DEADLINE_MS: '30000',
      SUBGRAPH_TIMEOUT_MS: '30000',
      // Nor refused by admission control (one shopper retries its checkouts while reading): this
      // graph is about supervision; test/load and platform's load-shedding tests cover refusals.
      ADMISSION_LIMIT_MIN: '256',
      ADMISSION_PRINCIPAL_SHARE: '1',
      // Nor shed by a subgraph: eight shoppers' checkouts queue on an embedded database's one connection.
      LOAD_SHED_EVENT_LOOP_LAG_MS: '0',
      LOAD_SHED_MUTATION_EVENT_LOOP_LAG_MS: '0',
      LOAD_SHED_DB_WAITING_PER_CONNECTION: '0',
      FIELD_BUDGET_MS: '10000',
      NODE_ENV: 'development',
    },
  });
  // The last 2 MB, and how much came before them.
  let output = '';
  let dropped = 0;
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) {
      dropped += output.length - 1_000_000;
      output = output.slice(-1_000_000);
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let seen = new Map<string, ProcessStatus>();

  const processes = async () => {
    const { stdout } = await run(PM2, ['jlist'], { env: pm2Env, timeout: 30_000 });
    const list = JSON.parse(stdout.slice(stdout.indexOf('['))) as { name: string; pid: number; pm2_env: { status: string; restart_time: number } }[];
    seen = new Map(list.map((p) => [p.name, { name: p.name, pid: p.pid, status: p.pm2_env.status, restarts: p.pm2_env.restart_time }]));
    return seen;
  };

  const graph: SupervisedGraph = {
    url: `http://127.0.0.1:${gatewayPort}/graphql`,
    subgraphUrls,
    output: (since = 0) => output.slice(Math.max(0, since - dropped)),
    mark: () => dropped + output.length,
    token: (sub) => mintToken(jwtSecret, sub),
    async request<T>(query: string, variables: Record<string, unknown> = {}, token?: string) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(graph.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      try {
        return { status: res.status, body: JSON.parse(text) as GraphQLBody<T> };
      } catch {
        throw new Error(`gateway answered ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
      }
    },
    processes,
    supervisorAlive: () => isAlive(-child.pid!),
    async stop(timeoutMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      process.kill(-child.pid!, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      const code = await Promise.race([exited, timer]);
      if (code === 'timeout') throw new Error(`npm start still running ${timeoutMs} ms after SIGTERM`);
      return code;
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      // pm2 starts each process in a group of its own: a SIGKILLed supervisor leaves them behind.
      for (const p of seen.values()) if (p.pid > 0 && isAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
      await database?.drop();
      await rm(home, { recursive: true, force: true });
    },
  };

  try {
    await until(() => answers200(graph.url.replace('/graphql', '/readyz')), readyTimeoutMs, 'the gateway /readyz');
    await processes();
  } catch (err) {
    await graph.dispose();
    throw new Error(`${String(err)}\n--- npm start output ---\n${output.slice(-5_000)}`, { cause: err });
  }
  return graph;
}
