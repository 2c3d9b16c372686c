import { validate, type GraphQLSchema } from 'graphql';
import { changeKey, diffApiSchemas, reportChanges, type ReportedChange } from './api-changes.ts';
import { apiSchemaOf, compose, type ComposeResult } from './compose.ts';
import { lintEntityFields } from './lint-entity-fields.ts';
import { lintEnumGrowth } from './lint-enums.ts';
import type { LintFinding } from './lint-finding.ts';
import { lintMutations } from './lint-mutations.ts';
import { operationUsage } from './operation-usage.ts';
import { buildManifest, operationLabel, type PersistedQueryManifest, type RegisteredOperation } from './operations.ts';
import { internalLabel, subgraphCallSchema, type InternalOperation } from './internal-operations.ts';
import { parseSubgraphs } from './subgraph-ast.ts';

export interface CheckInput {
  /** The SDL each subgraph serves now (compose.ts `workingSubgraphs`, or an edited copy). */
  working: Record<string, string>;
  /** The published SDLs (`schema/subgraphs/*.graphql`); empty before the first publish. */
  published: Record<string, string>;
  /** Baseline when nothing is published per subgraph yet: the committed supergraph. */
  publishedSupergraph?: string;
  operations: RegisteredOperation[];
  /** Calls between subgraphs, checked against each target's working SDL (@inaccessible fields included). */
  internalOperations?: InternalOperation[];
  /** Registry files to hold to the working state (the CLI passes them; fixture checks do not). */
  registry?: { supergraphSdl?: string; manifest?: PersistedQueryManifest };
}

export type CompositionIssue = ComposeResult['errors'][number];

export interface SubgraphReport {
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  composition: CompositionIssue[];
  changes: { breaking: ReportedChange[]; dangerous: ReportedChange[]; safe: ReportedChange[] };
  lint: LintFinding[];
}

export interface CheckReport {
  ok: boolean;
  baseline: 'published-subgraphs' | 'published-supergraph';
  subgraphs: Record<string, SubgraphReport>;
  /** What no single subgraph explains: changes only the combination makes, registry drift. */
  graph: { composition: CompositionIssue[]; changes: ReportedChange[]; lint: LintFinding[]; registry: string[] };
  operations: { registered: number; internal: number; invalid: { operation: string; errors: string[] }[] };
  failures: string[];
  warnings: string[];
  /** The composed working supergraph, when it composes (publish writes it). */
  supergraphSdl?: string;
  /** Every API change against the baseline, each once (also listed under its subgraphs). */
  changes: ReportedChange[];
}

function baselineOf(input: CheckInput): { sdl: string; kind: CheckReport['baseline'] } {
  if (Object.keys(input.published).length > 0) {
    const published = compose(input.published);
    if (!published.supergraphSdl) {
      throw new Error(`The published subgraphs do not compose: ${published.errors.map((e) => e.message).join('; ')}`);
    }
    return { sdl: published.supergraphSdl, kind: 'published-subgraphs' };
  }
  if (!input.publishedSupergraph) throw new Error('Nothing is published yet: no subgraph SDLs and no supergraph to compare with.');
  return { sdl: input.publishedSupergraph, kind: 'published-supergraph' };
}

/**
 * Which subgraph's change produces which API change: each changed subgraph is swapped alone into
 * the published set, composed, and diffed against the baseline.
 */
async function attributeChanges(input: CheckInput, changed: string[], before: GraphQLSchema): Promise<Map<string, string[]>> {
  const attribution = new Map<string, string[]>();
  if (Object.keys(input.published).length === 0) return attribution;
  for (const name of changed) {
    const swapped = { ...input.published };
    if (name in input.working) swapped[name] = input.working[name]!;
    else delete swapped[name];
    const alone = compose(swapped);
    if (!alone.supergraphSdl) continue;
    for (const change of await diffApiSchemas(before, apiSchemaOf(alone.supergraphSdl))) {
      const key = changeKey(change);
      attribution.set(key, [...(attribution.get(key) ?? []), name]);
    }
  }
  return attribution;
}

function statusOf(name: string, input: CheckInput): SubgraphReport['status'] {
  const hasPublished = Object.keys(input.published).length > 0;
  if (!(name in input.working)) return 'removed';
  if (!hasPublished) return 'unchanged';
  if (!(name in input.published)) return 'added';
  return input.published[name] === input.working[name] ? 'unchanged' : 'changed';
}

export async function runCheck(input: CheckInput): Promise<CheckReport> {
  const baseline = baselineOf(input);
  const names = [...new Set([...Object.keys(input.working), ...Object.keys(input.published)])].sort();
  const subgraphs: Record<string, SubgraphReport> = Object.fromEntries(
    names.map((n) => [n, { status: statusOf(n, input), composition: [], changes: { breaking: [], dangerous: [], safe: [] }, lint: [] }]),
  );
  const report: CheckReport = {
    ok: true,
    baseline: baseline.kind,
    subgraphs,
    graph: { composition: [], changes: [], lint: [], registry: [] },
    operations: { registered: input.operations.length, internal: input.internalOperations?.length ?? 0, invalid: [] },
    failures: [],
    warnings: [],
    changes: [],
  };

  const composed = compose(input.working);
  for (const error of composed.errors) {
    const where = error.locations.map((l) => `${l.subgraph}:${l.line}:${l.column}`).join(', ');
    report.failures.push(`composition (${error.subgraphs.join(', ') || 'graph'}): ${error.message}${where ? ` [${where}]` : ''}`);
    if (error.subgraphs.length === 0) report.graph.composition.push(error);
    for (const s of error.subgraphs) subgraphs[s]?.composition.push(error);
  }

  const workingDocs = parseSubgraphs(input.working);
  const lint: LintFinding[] = [...lintEntityFields(workingDocs)];

  if (composed.supergraphSdl) {
    report.supergraphSdl = composed.supergraphSdl;
    const before = apiSchemaOf(baseline.sdl);
    const after = apiSchemaOf(composed.supergraphSdl);
    const changed = names.filter((n) => subgraphs[n]!.status !== 'unchanged');
    const attribution = await attributeChanges(input, changed, before);
    const usage = input.operations.map((op) => ({ op, used: operationUsage(before, op.document) }));
    report.changes = reportChanges(await diffApiSchemas(before, after), usage, attribution);

    for (const change of report.changes) {
      if (change.subgraphs.length === 0) report.graph.changes.push(change);
      for (const s of change.subgraphs) subgraphs[s]?.changes[change.level].push(change);
      const who = change.subgraphs.join(', ') || 'graph';
      if (change.verdict === 'fail') report.failures.push(`breaking (${who}): ${change.message} — breaks ${change.operations.join(', ')}`);
      if (change.verdict === 'warn') report.warnings.push(`breaking (${who}): ${change.message} — no registered operation uses it`);
    }

    for (const op of input.operations) {
      const errors = validate(after, op.document).map((e) => e.message);
      if (errors.length === 0) continue;
      report.operations.invalid.push({ operation: operationLabel(op), errors });
      // Already named by a failing change: listed under operations, not counted twice.
      if (report.changes.some((c) => c.verdict === 'fail' && c.operations.includes(operationLabel(op)))) continue;
      report.failures.push(`operation ${operationLabel(op)} does not validate against the new API schema: ${errors.join(' ')}`);
    }

    lint.push(...lintMutations(workingDocs, after));
    lint.push(...lintEnumGrowth(baseline.sdl, composed.supergraphSdl, parseSubgraphs(input.published), workingDocs));

    if (input.registry?.supergraphSdl !== undefined && input.registry.supergraphSdl !== composed.supergraphSdl) {
      report.graph.registry.push('schema/supergraph.graphql is not the composition of the working subgraph SDLs: run `npm run compose`.');
    }
  }

  checkInternalOperations(input, report);

  if (input.registry?.manifest && JSON.stringify(input.registry.manifest) !== JSON.stringify(buildManifest(input.operations))) {
    report.graph.registry.push('schema/operations/manifest.json does not match the registered operations: run `npm run schema:publish`.');
  }
  report.failures.push(...report.graph.registry);

  for (const finding of lint) {
    if (finding.subgraphs.length === 0) report.graph.lint.push(finding);
    for (const s of finding.subgraphs) subgraphs[s]?.lint.push(finding);
    report.failures.push(`lint ${finding.rule} (${finding.subgraphs.join(', ') || 'graph'}): ${finding.message}`);
  }

  report.ok = report.failures.length === 0;
  return report;
}

/**
 * A sibling call must still run against the subgraph it calls: a change to a field only siblings
 * use (an @inaccessible one, invisible to the API diff) fails here, naming the call it breaks.
 */
function checkInternalOperations(input: CheckInput, report: CheckReport): void {
  const schemas = new Map<string, GraphQLSchema | Error>();
  const schemaOf = (target: string): GraphQLSchema | Error => {
    if (!schemas.has(target)) {
      const sdl = input.working[target];
      try {
        schemas.set(target, sdl === undefined ? new Error(`there is no subgraph ${target}`) : subgraphCallSchema(sdl));
      } catch (err) {
        schemas.set(target, err instanceof Error ? err : new Error(String(err)));
      }
    }
    return schemas.get(target)!;
  };
  for (const op of input.internalOperations ?? []) {
    const schema = schemaOf(op.target);
    const errors = schema instanceof Error ? [schema.message] : validate(schema, op.document).map((e) => e.message);
    if (errors.length === 0) continue;
    const label = internalLabel(op);
    report.operations.invalid.push({ operation: label, errors });
    report.failures.push(`internal operation ${label} does not validate against ${op.target}'s working SDL: ${errors.join(' ')}`);
  }
}
