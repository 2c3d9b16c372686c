import type { ReportedChange } from './api-changes.ts';
import type { CheckReport, CompositionIssue } from './check.ts';
import type { LintFinding } from './lint-finding.ts';

const MARK = { fail: '✗', warn: '!', ok: ' ' } as const;

function changeLines(change: ReportedChange): string[] {
  const level = change.level.toUpperCase().padEnd(9);
  const lines = [`  ${MARK[change.verdict]} ${level} ${change.message}${change.path ? `  (${change.path})` : ''}`];
  if (change.operations.length > 0 && change.level !== 'safe') {
    lines.push(`      ${change.verdict === 'fail' ? 'breaks' : 'touches'}: ${change.operations.join(', ')}`);
  } else if (change.verdict === 'warn') {
    lines.push('      no registered operation uses it (warning)');
  }
  return lines;
}

const compositionLine = (e: CompositionIssue) =>
  `  ✗ COMPOSITION ${e.message}${e.locations.length ? `  [${e.locations.map((l) => `${l.subgraph}:${l.line}:${l.column}`).join(', ')}]` : ''}`;

const lintLine = (f: LintFinding) => `  ✗ LINT      ${f.rule}: ${f.message}`;

/** The report as a person reads it in a terminal or a CI log. */
export function formatReport(report: CheckReport): string {
  const out: string[] = [];
  for (const [name, sub] of Object.entries(report.subgraphs)) {
    const changes = [...sub.changes.breaking, ...sub.changes.dangerous, ...sub.changes.safe];
    const counts = `${sub.changes.breaking.length} breaking, ${sub.changes.dangerous.length} dangerous, ${sub.changes.safe.length} safe`;
    const summary = sub.composition.length > 0 ? 'does not compose' : sub.status === 'unchanged' && changes.length === 0 ? '' : counts;
    out.push(`${name}: ${sub.status}${summary ? ` — ${summary}` : ''}`);
    out.push(...sub.composition.map(compositionLine));
    out.push(...changes.flatMap(changeLines));
    out.push(...sub.lint.map(lintLine));
  }
  const graph = report.graph;
  if (graph.composition.length + graph.changes.length + graph.lint.length + graph.registry.length > 0) {
    out.push('graph (not attributable to one subgraph):');
    out.push(...graph.composition.map(compositionLine));
    out.push(...graph.changes.flatMap(changeLines));
    out.push(...graph.lint.map(lintLine));
    out.push(...graph.registry.map((r) => `  ✗ REGISTRY  ${r}`));
  }
  const ops = report.operations;
  out.push(`operations: ${ops.registered} registered, ${ops.registered - ops.invalid.length} validate against the new API schema`);
  for (const bad of ops.invalid) out.push(`  ✗ ${bad.operation}: ${bad.errors.join(' ')}`);
  out.push('');
  out.push(
    report.ok
      ? `schema check passed (${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'})`
      : `schema check FAILED: ${report.failures.length} failure${report.failures.length === 1 ? '' : 's'}, ${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}`,
  );
  for (const f of report.failures) out.push(`  ✗ ${f}`);
  for (const w of report.warnings) out.push(`  ! ${w}`);
  return out.join('\n');
}
