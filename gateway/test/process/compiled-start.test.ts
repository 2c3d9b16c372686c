import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, SUBGRAPH_NAMES, testEnv, type SubgraphName } from '@ecom/platform/env';
import { randomSigningKeysEnv } from '@ecom/platform/testing';
import { createTestDatabase } from '@ecom/platform/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answers200, freePort, supervisorEnv, until } from '../support/supervised-graph.ts';

/**
 * What users start is compiled JavaScript: `npm run build` emits each service's dist/, and the
 * product subgraph and the gateway, started by their own `start` scripts (the command pm2 runs under
 * `npm start`), boot from it with no TypeScript loader, find their SDL, migrations and supergraph
 * next to the output, and answer /readyz and a query.
 */
const run = promisify(execFile);
const SERVICES = ['gateway', ...SUBGRAPH_NAMES.map((name) => `subgraphs/${name}`)];

function scripts(workspace: string): Record<string, string> {
  return (JSON.parse(readFileSync(join(REPO_ROOT, workspace, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs a workspace's `start` script as pm2 does: split on spaces, no shell, `node` is this node. */
function start(workspace: string, env: NodeJS.ProcessEnv): Started {
  const [command, ...args] = scripts(workspace).start!.trim().split(/ +/);
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, { cwd: join(REPO_ROOT, workspace), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** The nice value of every thread of a process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGKILL');
  await exited;
}

describe('each service starts compiled JavaScript', () => {
  it.each(SERVICES)('%s: start and start:prod run node on dist/, dev runs the source with tsx', (workspace) => {
    const { start, dev, build, ...rest } = scripts(workspace);
    expect(start).toMatch(/^node( --[\w=-]+)* dist\/index\.js$/);
    expect(start).not.toContain('tsx');
    // Source maps are emitted, but reading them costs every stack trace: opt in with NODE_OPTIONS.
    expect(start).not.toContain('--enable-source-maps');
    expect(rest['start:prod']).toBe(start);
    expect(build).toContain('tsc -p tsconfig.build.json');
    expect(dev).toMatch(/^tsx watch .*src\/index\.ts$/);
  });

  it('every export of a built package has its compiled twin', async () => {
    await expect(run(process.execPath, [join(REPO_ROOT, 'infra/build/compiled-exports.mjs'), '--check'])).resolves.toBeDefined();
  });
});

describe('the product subgraph and the gateway from compiled output', () => {
  const { databaseUrl } = testEnv();
  let home: string;
  let database: { url: string; drop(): Promise<void> } | undefined;
  let product: Started | undefined;
  let gateway: Started | undefined;
  let gatewayPort: number;
  const subgraphUrls = {} as Record<SubgraphName, string>;

  beforeAll(async () => {
    // Through turbo, as `npm start` does: cached when nothing changed.
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeout: 300_000 });
    expect(existsSync(join(REPO_ROOT, 'gateway/dist/index.js'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'gateway/dist/index.js.map'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'subgraphs/product/dist/schema.graphql'))).toBe(true);

    home = await mkdtemp(join(tmpdir(), 'ecom-compiled-'));
    database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
    gatewayPort = await freePort();
    for (const name of SUBGRAPH_NAMES) subgraphUrls[name] = `http://127.0.0.1:${await freePort()}/graphql`;
    // Only what is named here: `node` is this node's path, and nothing from the test's environment leaks in.
    const env: NodeJS.ProcessEnv = {
      PORT: String(gatewayPort),
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, subgraphUrls[n]])),
      DATA_DIR: join(home, 'data'),
      DATABASE_URL: database?.url ?? '',
      JWT_SECRET: randomBytes(24).toString('hex'),
      ...randomSigningKeysEnv(),
      LOG_LEVEL: 'warn',
      // A cold process on a loaded test machine: the first query keeps its fields (as in support/graph.ts).
      QUERY_DEADLINE_MS: '30000',
      SUBGRAPH_TIMEOUT_MS: '30000',
      FIELD_BUDGET_MS: '10000',
      NODE_ENV: 'development',
    };

    product = start('subgraphs/product', { ...env, ...supervisorEnv('product') });
    // Migrating and seeding PGlite takes minutes on a loaded machine.
    await until(() => answers200(subgraphUrls.product.replace('/graphql', '/readyz')), 300_000, `product /readyz\n${product.output()}`);
    gateway = start('gateway', { ...env, ...supervisorEnv('gateway') });
    await until(async () => (await fetch(`http://127.0.0.1:${gatewayPort}/healthz`)).ok, 120_000, `gateway /healthz\n${gateway.output()}`);
  }, 720_000);

  afterAll(async () => {
    await stop(gateway);
    await stop(product);
    await database?.drop();
    if (home) await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('the gateway reads the supergraph and probes the product subgraph as ready, the others as down', async () => {
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
    // Five of six subgraphs are not running: not ready, and product is not among the missing.
    expect(res.status).toBe(503);
    const body = (await res.json()) as { down: string[] };
    expect(body.down.sort()).toEqual(SUBGRAPH_NAMES.filter((n) => n !== 'product').sort());
  });

  it('answers a product query through the compiled gateway from the compiled subgraph', async () => {
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products(first: 2) { totalCount edges { node { id title } } } }' }),
    });
    const body = (await res.json()) as {
      data?: { products: { totalCount: number; edges: { node: { id: string; title: string } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data!.products.edges).toHaveLength(2);
    expect(body.data!.products.totalCount).toBeGreaterThanOrEqual(2);
    expect(body.data!.products.edges[0]!.node.title).not.toBe('');
  });

  it('runs the subgraph below the gateway in CPU priority, every thread of it, as npm start does', () => {
    expect(supervisorEnv('product').CPU_NICE).toBe('10');
    expect(supervisorEnv('gateway').CPU_NICE).toBeUndefined();
    expect(new Set(threadNices(product!.child.pid!))).toEqual(new Set([10]));
    // The gateway keeps the priority it was started with (this process's).
    expect(new Set(threadNices(gateway!.child.pid!))).toEqual(new Set([getPriority()]));
  });
});
