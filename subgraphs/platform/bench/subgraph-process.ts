/**
 * One subgraph in a process of its own, for entities-cpu.ts: booted from the checkout at `root` (this
 * one, or a baseline checkout for an A/B in one run) as `npm start` boots it (telemetry started the
 * same way, production log level), on in-memory PGlite or, with DATABASE_URL, a fresh database on the
 * server. Prints `READY <url>`; answers `cpu` with process.cpuUsage() and stops on `stop`. A process of
 * its own so that its CPU is its alone: the driver's HTTP client and signing are not in the figures.
 *
 * With a third argument, `profile-start` / `profile-stop` take a V8 CPU profile of what happens in
 * between (the measured rounds, not the boot) and write it to that file.
 *
 * Usage (by entities-cpu.ts): node --import tsx subgraph-process.ts <root> <subgraph> [profile file]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Testing = typeof import('../src/testing.ts');
type Telemetry = typeof import('../src/telemetry.ts');
type Env = typeof import('../src/env.ts');
type Logging = typeof import('../src/logger.ts');
type Definition = Parameters<Testing['startTestSubgraph']>[0];

const [root, name, profileFile] = process.argv.slice(2);
if (!root || !name) throw new Error('usage: subgraph-process.ts <checkout root> <subgraph>');

// From the given checkout, platform included: a baseline runs its own code end to end.
const load = async <T>(path: string): Promise<T> => {
  const loaded: unknown = await import(pathToFileURL(join(root, path)).href);
  return loaded as T;
};
const testing = await load<Testing>('subgraphs/platform/src/testing.ts');
const telemetry = await load<Telemetry>('subgraphs/platform/src/telemetry.ts');
const env = await load<Env>('subgraphs/platform/src/env.ts');
const logging = await load<Logging>('subgraphs/platform/src/logger.ts');
const server = await load<Record<string, unknown>>(`subgraphs/${name}/src/server.ts`);
const definition = server[`${name}Subgraph`] as Definition | undefined;
if (!definition) throw new Error(`${root}/subgraphs/${name}/src/server.ts exports no ${name}Subgraph`);

const HOUR = 3_600_000;
const started = telemetry.startTelemetry(env.telemetryFrom(name));
const subgraph = await testing.startTestSubgraph(definition, {
  logger: logging.createLogger(name, 'info'),
  // Background work (sweepers, relays) would add its own CPU to the figures: none runs meanwhile.
  settings: { reservationSweepIntervalMs: HOUR, idempotencySweepIntervalMs: HOUR, outboxRelayIntervalMs: HOUR },
});

const profiler = new Session();
process.on('message', (message: unknown) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (message === 'profile-start' && profileFile) {
    void (async () => {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      process.send?.('profiling');
    })();
  }
  if (message === 'profile-stop' && profileFile) {
    void (async () => {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
      profiler.disconnect();
      process.send?.('profiled');
    })();
  }
  if (message === 'stop') {
    void (async () => {
      await subgraph.dispose();
      await started.shutdown();
      process.exit(0);
    })();
  }
});
process.stdout.write(`READY ${subgraph.url}\n`);
