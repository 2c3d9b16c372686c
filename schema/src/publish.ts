import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { changelogEntry, prependEntry, type OperationChanges } from './changelog.ts';
import { runCheck, type CheckReport } from './check.ts';
import { loadCheckInput, type CheckSources } from './check-input.ts';
import { buildManifest, CLIENTS, operationLabel, readRegisteredOperations, type RegisteredOperation } from './operations.ts';
import { defaultRegistry } from './registry.ts';

export interface PublishOptions extends CheckSources {
  /** The changelog date, YYYY-MM-DD; today (UTC) by default. */
  date?: string;
}

export interface PublishResult {
  published: boolean;
  report: CheckReport;
  /** Files written or removed, relative to the registry root. */
  written: string[];
  removed: string[];
  entry?: string;
}

function operationChanges(before: RegisteredOperation[], after: RegisteredOperation[]): OperationChanges {
  const old = new Map(before.map((o) => [operationLabel(o), o.id]));
  const now = new Map(after.map((o) => [operationLabel(o), o.id]));
  return {
    added: [...now.keys()].filter((k) => !old.has(k)),
    changed: [...now.keys()].filter((k) => old.has(k) && old.get(k) !== now.get(k)),
    removed: [...old.keys()].filter((k) => !now.has(k)),
  };
}

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/**
 * Runs the check and, only when it passes, writes the registry: every subgraph's SDL, the
 * supergraph, the operations with their manifest, and a changelog entry. A failing check writes nothing.
 */
export async function publish(options: PublishOptions = {}): Promise<PublishResult> {
  const paths = options.paths ?? defaultRegistry;
  const input = loadCheckInput(options);
  // Publishing rewrites the supergraph and the manifest, so their drift does not block it.
  const report = await runCheck({ ...input, registry: {} });
  if (!report.ok || !report.supergraphSdl) return { published: false, report, written: [], removed: [] };

  const files = new Map<string, string>();
  for (const [name, sdl] of Object.entries(input.working)) files.set(join(paths.subgraphsDir, `${name}.graphql`), sdl);
  files.set(paths.supergraphFile, report.supergraphSdl);
  for (const op of input.operations) files.set(join(paths.operationsDir, op.client, `${op.name}.graphql`), `${op.body}\n`);
  files.set(paths.manifestFile, `${JSON.stringify(buildManifest(input.operations), null, 2)}\n`);

  const stale = [
    ...(existsSync(paths.subgraphsDir) ? readdirSync(paths.subgraphsDir).map((f) => join(paths.subgraphsDir, f)) : []),
    ...CLIENTS.flatMap((c) => {
      const dir = join(paths.operationsDir, c);
      return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
    }),
  ].filter((f) => f.endsWith('.graphql') && !files.has(f));

  const changedFiles = [...files].filter(([file, content]) => readIfExists(file) !== content).map(([file]) => file);
  if (changedFiles.length === 0 && stale.length === 0) return { published: false, report, written: [], removed: [] };

  const sdlChanged = Object.keys({ ...input.working, ...input.published }).filter((n) => input.working[n] !== input.published[n]);
  const entry = changelogEntry(
    options.date ?? new Date().toISOString().slice(0, 10),
    report,
    sdlChanged,
    operationChanges(readRegisteredOperations(paths), input.operations),
  );
  files.set(paths.changelogFile, prependEntry(readIfExists(paths.changelogFile), entry));
  changedFiles.push(paths.changelogFile);

  for (const file of changedFiles) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, files.get(file)!);
  }
  for (const file of stale) rmSync(file);
  return {
    published: true,
    report,
    written: changedFiles.map((f) => relative(paths.root, f)),
    removed: stale.map((f) => relative(paths.root, f)),
    entry,
  };
}
