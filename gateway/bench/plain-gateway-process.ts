/**
 * Starts plain-gateway.ts as a process of its own, compiled (bench/tsconfig.build.json) and run as
 * ours runs: `node --conditions=compiled`, nothing loaded from TypeScript.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@ecom/platform/env';
import { supergraphFile } from '@ecom/schema/compose';
import type { PlainGatewayConfig } from './plain-gateway.ts';
import { freePort, startProcess, stopProcess, type Stack } from './stack.ts';
import { sleep } from './measure.ts';

const run = promisify(execFile);
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

/** A plain Apollo Gateway over `stack`'s subgraphs, from the published supergraph; resolves once it answers. */
export async function startPlainGateway(stack: Stack, budgetMs: number, logFile: string): Promise<PlainGateway> {
  const port = await freePort();
  const config: PlainGatewayConfig = {
    port,
    supergraphPath: fileURLToPath(supergraphFile),
    subgraphUrls: stack.subgraphUrls,
    signer: stack.signer,
    budgetMs,
  };
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|BENCH_|NODE_OPTIONS$)/.test(name)));
  const started = startProcess(
    process.execPath,
    ['--conditions=compiled', join(BENCH_DIR, 'dist/bench/plain-gateway.js'), JSON.stringify(config)],
    // As ours has it (apollo-telemetry-off.ts): no usage reporting, no cloud metadata probes.
    { cwd: join(REPO_ROOT, 'gateway'), env: { ...env, APOLLO_TELEMETRY_DISABLED: 'true' }, logFile },
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
