import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT, SUBGRAPH_NAMES, testEnv } from '@ecom/platform/env';
import { randomSigningKeysEnv } from '@ecom/platform/testing';
import { createTestDatabase } from '@ecom/platform/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageScripts, PROCESSES, workspaceOf, type ProcessName } from './rendered.ts';

// What the image runs (its ENTRYPOINT), started here without Docker: each workspace's start:prod
// script, read from its package.json by infra/run-script.sh, on free ports, in production mode,
// on the embedded database or on DATABASE_URL when set.
const ENTRY = resolve(REPO_ROOT, 'infra/run-script.sh');
// Generous: on a machine shared by several test runs one PGlite subgraph has taken two minutes to boot.
const BOOT_TIMEOUT_MS = 540_000;
const DRAIN_TIMEOUT_MS = 20_000;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function readyz(port: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.json() };
}

interface Started {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Started {
  // Its own process group, so cleanup can reach tsx's child too; SIGTERM goes to the pid alone, as tini sends it.
  const child = spawn(ENTRY, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output, exited };
}

async function waitReady(name: string, port: number, started: Started): Promise<{ status: number; body: unknown }> {
  const until = Date.now() + BOOT_TIMEOUT_MS;
  let last: { status: number; body: unknown } | undefined;
  while (Date.now() < until) {
    if (started.child.exitCode !== null) throw new Error(`${name} exited (${started.child.exitCode}):\n${started.output.join('')}`);
    last = await readyz(port).catch(() => undefined);
    if (last?.status === 200) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${name} not ready on ${port} after ${BOOT_TIMEOUT_MS} ms (last: ${JSON.stringify(last)}):\n${started.output.join('')}`);
}

describe('each workspace has one production command', () => {
  it.each(PROCESSES)('%s: start:prod is a single command on the entry npm start runs', (name) => {
    const scripts = packageScripts(workspaceOf(name));
    const prod = scripts['start:prod']!;
    // run-script.sh `exec`s it so SIGTERM reaches the process: no shell lists or pipes.
    expect(prod).toMatch(/^[\w@./:=-]+( [\w@./:=-]+)*$/);
    // One process, not the tsx CLI: under load its signal relay can SIGKILL the child mid-drain.
    expect(prod.split(' ')[0]).toBe('node');
    const entry = (command: string) => command.trim().split(/\s+/).at(-1);
    expect(entry(scripts.start!)).toBe(entry(prod));
  });
});

describe('the production commands, started as the image starts them', () => {
  const { databaseUrl, redisUrl } = testEnv();
  const ports = {} as Record<ProcessName, { http: number; metrics: number }>;
  const processes = new Map<ProcessName, Started>();
  const dataDir = mkdtempSync(join(tmpdir(), 'ecom-prod-command-'));
  let database: { url: string; drop(): Promise<void> } | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    for (const name of PROCESSES) ports[name] = { http: await freePort(), metrics: await freePort() };
    database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: tmpdir(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ...randomSigningKeysEnv(),
      JWT_SECRET: randomBytes(24).toString('hex'),
      DATA_DIR: dataDir,
      OTEL_SDK_DISABLED: 'true',
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, `http://127.0.0.1:${ports[n].http}/graphql`])),
    };
  });

  afterAll(async () => {
    for (const p of processes.values()) {
      try {
        process.kill(-p.child.pid!, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
    await Promise.all([...processes.values()].map((p) => p.exited));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'migrate, the init container command: brings each schema up on Postgres, refuses without one',
    async () => {
      // All six at once, as a release's first pods start together.
      const migrations = SUBGRAPH_NAMES.map((name) => start(['subgraphs/platform', 'migrate', name], env));
      for (const migrate of migrations) {
        const code = await migrate.exited;
        if (database) expect(code, migrate.output.join('')).toBe(0);
        else {
          // The embedded database migrates in process; there is no release step to run.
          expect(code).toBe(1);
          expect(migrate.output.join('')).toContain('DATABASE_URL: required');
        }
      }
    },
    BOOT_TIMEOUT_MS,
  );

  it(
    'every subgraph answers /readyz on the port of its SUBGRAPH_URL',
    async () => {
      for (const name of SUBGRAPH_NAMES) {
        processes.set(name, start([workspaceOf(name)], { ...env, METRICS_PORT: String(ports[name].metrics) }));
      }
      for (const name of SUBGRAPH_NAMES) {
        const ready = await waitReady(name, ports[name].http, processes.get(name)!);
        expect(ready.body).toEqual({ status: 'ready' });
      }
    },
    BOOT_TIMEOUT_MS + 60_000,
  );

  it(
    'the gateway answers /readyz once it reaches them all',
    async () => {
      const gateway = start(['gateway'], { ...env, PORT: String(ports.gateway.http), METRICS_PORT: String(ports.gateway.metrics) });
      processes.set('gateway', gateway);
      const ready = await waitReady('gateway', ports.gateway.http, gateway);
      expect(ready.body).toEqual({ status: 'ready', down: [] });
    },
    BOOT_TIMEOUT_MS + 60_000,
  );

  // SIGTERM to the pid alone, as tini sends it: the signal reaches the process through the entry script.
  async function drains(name: ProcessName): Promise<void> {
    const p = processes.get(name)!;
    p.child.kill('SIGTERM');
    const code = await Promise.race([p.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), DRAIN_TIMEOUT_MS))]);
    expect(code, `${name}:\n${p.output.join('')}`).toBe(0);
  }

  it(
    'the gateway drains on SIGTERM and exits 0',
    async () => {
      await drains('gateway');
    },
    DRAIN_TIMEOUT_MS + 10_000,
  );

  it.each(SUBGRAPH_NAMES)(
    '%s drains on SIGTERM and exits 0',
    async (name) => {
      await drains(name);
    },
    DRAIN_TIMEOUT_MS + 10_000,
  );
});
