/**
 * Starts plain-gateway.ts (and replay-subgraphs.ts) as processes of their own, compiled
 * (bench/tsconfig.build.json) and run as ours runs: `node --conditions=compiled`, nothing loaded
 * from TypeScript.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@ecom/platform/env';
import { supergraphFile } from '@ecom/schema/compose';
import type { PlainGatewayConfig } from './plain-gateway.ts';
import type { ReplayConfig } from './replay-subgraphs.ts';
import { freePort, startProcess, stopProcess, type Stack } from './stack.ts';
import { sleep } from './measure.ts';

const run = promisify(execFile);

/** This process's environment without what configures the bench or instruments a process. */
function benchChildEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|BENCH_|NODE_OPTIONS$)/.test(name)));
}
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Transpiles the bench's own servers into bench/dist/, as `npm run build` does for the services. */
export async function buildBenchServers(): Promise<void> {
  await run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(BENCH_DIR, 'tsconfig.build.json')], {
    timeout: 300_000,
  });
}

export interface PlainGateway {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A plain Apollo Gateway over `subgraphUrls` (`stack`'s subgraphs when omitted), from the published
 * supergraph; resolves once it answers.
 */
export async function startPlainGateway(
  stack: Stack,
  budgetMs: number,
  logFile: string,
  subgraphUrls: Record<string, string> = stack.subgraphUrls,
): Promise<PlainGateway> {
  const port = await freePort();
  const config: PlainGatewayConfig = {
    port,
    supergraphPath: fileURLToPath(supergraphFile),
    subgraphUrls,
    signer: stack.signer,
    budgetMs,
  };
  const started = startProcess(
    process.execPath,
    ['--conditions=compiled', join(BENCH_DIR, 'dist/bench/plain-gateway.js'), JSON.stringify(config)],
    // As ours has it (apollo-telemetry-off.ts): no usage reporting, no cloud metadata probes.
    { cwd: join(REPO_ROOT, 'gateway'), env: { ...benchChildEnv(), APOLLO_TELEMETRY_DISABLED: 'true' }, logFile },
  );
  const url = `http://127.0.0.1:${port}/`;
  const until = Date.now() + 120_000;
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`the plain gateway exited with ${started.child.exitCode} (log: ${logFile})`);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stopProcess(started);
      throw new Error(`the plain gateway did not answer within 120 s (log: ${logFile})`);
    }
    await sleep(250);
  }
  return { url, pid: started.child.pid!, stop: () => stopProcess(started) };
}

export interface ReplaySubgraphs {
  urls: Record<string, string>;
  pid: number;
  /** Hits and misses per subgraph so far. */
  stats(): Promise<Record<string, { hits: number; misses: number }>>;
  stop(): Promise<void>;
}

/** replay-subgraphs.ts in front of `stack`'s subgraphs; resolves once it listens. */
export async function startReplaySubgraphs(stack: Stack, logFile: string): Promise<ReplaySubgraphs> {
  const config: ReplayConfig = { upstreams: stack.subgraphUrls };
  const started = startProcess(process.execPath, [join(BENCH_DIR, 'dist/bench/replay-subgraphs.js'), JSON.stringify(config)], {
    cwd: join(REPO_ROOT, 'gateway'),
    env: benchChildEnv(),
    logFile,
  });
  const ready = await new Promise<{ urls: Record<string, string>; stats: string }>((resolve, reject) => {
    let seen = '';
    started.child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = /^READY (.*)$/m.exec(seen);
      if (line) resolve(JSON.parse(line[1]!) as { urls: Record<string, string>; stats: string });
    });
    void started.exited.then(() => reject(new Error(`the replaying subgraphs exited (log: ${logFile})`)));
  });
  return {
    urls: ready.urls,
    pid: started.child.pid!,
    stats: async () => (await (await fetch(ready.stats)).json()) as Record<string, { hits: number; misses: number }>,
    stop: () => stopProcess(started),
  };
}
