/**
 * The graph as `npm start` runs it, for the bench: `npm run build` (turbo, cached), then one process
 * per subgraph and one gateway, each its workspace's own `start` command (node on dist/ with
 * `--conditions=compiled`), on free ports, a data directory of their own and either the embedded
 * default (PGlite, in-process Redis stand-ins) or a fresh database on a Postgres server plus Redis.
 * No pm2 in between: the bench needs each server's pid (CPU, pinning), and pm2 would only restart.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { freePort, supervisorEnv } from '../test/support/supervised-graph.ts';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentialsFrom, REPO_ROOT, SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import type { Signer } from '@ecom/platform/gateway-credential';
import { randomSigningKeysEnv } from '@ecom/platform/testing';
import { createTestDatabase } from '@ecom/platform/test-database';
import { DEV_JWT_SECRET } from '../src/env.ts';
import { mintToken } from '../src/edge/auth.ts';

const run = promisify(execFile);

export type ProcessName = 'gateway' | SubgraphName;

export interface StackOptions {
  /** Postgres server (a fresh database is created on it) and Redis; the embedded default when absent. */
  real?: { databaseUrl: string; redisUrl: string };
  /** Gateway variables beyond `npm start`'s defaults. */
  gatewayEnv?: Record<string, string>;
}

export interface Stack {
  /** The gateway's /graphql. */
  url: string;
  /** The gateway's Prometheus /metrics (the subgraphs keep their scrape listener off). */
  metricsUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  pids: Record<ProcessName, number>;
  /** The key the gateway signs subgraph requests with (for a plain gateway or a hand-made client). */
  signer: Signer;
  /** The signing keys every process was given, for another process that must sign as the gateway. */
  signingKeysEnv: Record<string, string>;
  token(sub: string, roles?: string[]): Promise<string>;
  /** Where each process's output went. */
  logDir: string;
  /**
   * Stops one subgraph and starts it again with `env` added (`{}`: as it was first started), on the
   * same port and data; resolves once it answers /readyz. Its pid changes.
   */
  restart(name: SubgraphName, env: Record<string, string>): Promise<void>;
  /**
   * Another gateway of ours, configured as the stack's own (`npm start`'s defaults and `gatewayEnv`,
   * then `env`), over other subgraph URLs; resolves once its /readyz answers.
   */
  startGateway(
    subgraphUrls: Record<SubgraphName, string>,
    env?: Record<string, string>,
  ): Promise<{ url: string; pid: number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

export { freePort, supervisorEnv };

/** `npm run build` as `npm start` runs it first; turbo makes it a no-op when nothing changed. */
export async function buildServices(): Promise<void> {
  await run('npm', ['run', 'build', '--', '--output-logs=errors-only'], { cwd: REPO_ROOT, timeout: 600_000 });
}

/** A workspace's `start` script as pm2 runs it: split on spaces, no shell, `node` is this node. */
export function startCommand(workspace: string): { command: string; args: string[] } {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, workspace, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const [command, ...args] = (pkg.scripts?.start ?? '').trim().split(/ +/);
  if (command !== 'node') throw new Error(`${workspace}: the bench runs "node …" start scripts, found "${pkg.scripts?.start}"`);
  return { command: process.execPath, args };
}

/** Every server process the bench has started and not yet seen exit, and the directories it made. */
const live = new Set<ChildProcess>();
const homes = new Set<string>();

/**
 * Kills what the bench started, for when it is itself stopped by a signal: children it did not stop
 * would otherwise outlive it (they are not in a terminal's process group when `kill` names the bench).
 */
export function killStarted(): void {
  for (const child of live) child.kill('SIGKILL');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}

export interface Started {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Starts a server process with its output in `logFile`; fails loudly if it dies before `stop`. */
export function startProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Started {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  // The bench itself may run at a raised priority (report.ts: loadGeneratorPriority); the servers
  // start at the normal one, every thread of them, as exec'd through nice from the start.
  const raised = -getPriority();
  const child =
    raised > 0
      ? spawn('nice', ['-n', String(raised), command, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Two streams into one file: neither may end it while the other still writes (a server's last words).
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  live.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      live.delete(child);
      log.end(resolve);
    }),
  );
  return { child, exited };
}

export async function stopProcess(started: Started): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
  await started.exited;
  clearTimeout(timer);
}

/** Polls until `url` answers 200, or fails with the process's log once `timeoutMs` is spent or it exits. */
export async function waitFor200(url: string, timeoutMs: number, processes: Started[], what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const dead = processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) throw new Error(`${what}: a process exited (${dead.child.spawnargs.join(' ')})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${what}: ${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Starts the graph; resolves once the gateway's /readyz says every subgraph answers. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const home = await mkdtemp(join(tmpdir(), 'ecom-bench-'));
  homes.add(home);
  const database = options.real ? await createTestDatabase(options.real.databaseUrl) : undefined;
  const gatewayPort = await freePort();
  const metricsPort = await freePort();
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) subgraphUrls[name] = `http://127.0.0.1:${await freePort()}/graphql`;
  const subgraphUrlEnv = (urls: Record<SubgraphName, string>) =>
    Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, urls[n]]));
  const signingKeysEnv = randomSigningKeysEnv();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|BENCH_|NODE_ENV$|NODE_OPTIONS$)/.test(name)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...subgraphUrlEnv(subgraphUrls),
    ...signingKeysEnv,
    DATA_DIR: join(home, 'data'),
    DATABASE_URL: database?.url ?? '',
    REDIS_URL: options.real?.redisUrl ?? '',
    JWT_SECRET: '',
    // Counters are kept either way; only the scrape listener is off, so no port is taken.
    METRICS_PORT: 'off',
  };
  const processes = new Map<ProcessName, Started>();
  const extraGateways = new Set<Started>();
  const startSubgraph = (name: SubgraphName, extra: Record<string, string> = {}) => {
    const { command, args } = startCommand(`subgraphs/${name}`);
    const started = startProcess(command, args, {
      cwd: join(REPO_ROOT, 'subgraphs', name),
      env: { ...env, ...supervisorEnv(name), ...extra },
      logFile: join(home, `${name}.log`),
    });
    processes.set(name, started);
    return started;
  };
  const stop = async () => {
    await Promise.all([...processes.values(), ...extraGateways].map(stopProcess));
    await database?.drop();
    await rm(home, { recursive: true, force: true });
    homes.delete(home);
  };
  try {
    for (const name of SUBGRAPH_NAMES) startSubgraph(name);
    const { command, args } = startCommand('gateway');
    const gatewayEnv = { ...env, ...supervisorEnv('gateway'), PORT: String(gatewayPort), METRICS_PORT: String(metricsPort), ...options.gatewayEnv };
    processes.set('gateway', startProcess(command, args, { cwd: join(REPO_ROOT, 'gateway'), env: gatewayEnv, logFile: join(home, 'gateway.log') }));
    // The first start migrates and seeds six databases: minutes on a small, busy machine.
    await waitFor200(`http://127.0.0.1:${gatewayPort}/readyz`, 600_000, [...processes.values()], 'the graph');
  } catch (err) {
    const logs = await Promise.all(
      [...processes.keys()].map(
        async (name) => `--- ${name} ---\n${(await readFile(join(home, `${name}.log`), 'utf8').catch(() => '')).slice(-1_500)}`,
      ),
    );
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`, { cause: err });
  }
  const pids = Object.fromEntries([...processes].map(([name, p]) => [name, p.child.pid!])) as Record<ProcessName, number>;
  return {
    async restart(name, extra) {
      await stopProcess(processes.get(name)!);
      const started = startSubgraph(name, extra);
      pids[name] = started.child.pid!;
      await waitFor200(subgraphUrls[name].replace(/\/graphql$/, '/readyz'), 120_000, [started], `${name} after a restart`);
    },
    async startGateway(urls, extra = {}) {
      const port = await freePort();
      const { command, args } = startCommand('gateway');
      const started = startProcess(command, args, {
        cwd: join(REPO_ROOT, 'gateway'),
        env: { ...env, ...subgraphUrlEnv(urls), PORT: String(port), ...options.gatewayEnv, ...extra },
        logFile: join(home, `gateway-${port}.log`),
      });
      extraGateways.add(started);
      await waitFor200(`http://127.0.0.1:${port}/readyz`, 120_000, [started], 'another gateway');
      return {
        url: `http://127.0.0.1:${port}/graphql`,
        pid: started.child.pid!,
        stop: async () => {
          await stopProcess(started);
          extraGateways.delete(started);
        },
      };
    },
    url: `http://127.0.0.1:${gatewayPort}/graphql`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    subgraphUrls,
    pids,
    signer: credentialsFrom({ NODE_ENV: 'development', ...signingKeysEnv }, 'gateway').signer!,
    signingKeysEnv,
    token: (sub, roles = []) => mintToken(DEV_JWT_SECRET, sub, roles),
    logDir: home,
    stop,
  };
}
