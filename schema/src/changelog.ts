import type { ReportedChange } from './api-changes.ts';
import type { CheckReport } from './check.ts';

export const CHANGELOG_HEADER = '# Schema changelog\n\nWhat each `npm run schema:publish` published, newest first.\n';

export interface OperationChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

const changeLine = (c: ReportedChange) => `- ${c.level}${c.verdict === 'warn' ? ' (no registered operation uses it)' : ''}: ${c.message}`;

/** One publish: its date, then per subgraph what changed for clients, then the operations. */
export function changelogEntry(date: string, report: CheckReport, sdlChanged: string[], operations: OperationChanges): string {
  const lines = [`## ${date}`, ''];
  for (const [name, sub] of Object.entries(report.subgraphs)) {
    const changes = [...sub.changes.breaking, ...sub.changes.dangerous, ...sub.changes.safe];
    if (!sdlChanged.includes(name) && changes.length === 0) continue;
    lines.push(`### ${name}`);
    if (report.baseline === 'published-supergraph' || sub.status === 'added') lines.push('- registered (first publish of this subgraph)');
    else if (sub.status === 'removed') lines.push('- removed from the graph');
    lines.push(...changes.map(changeLine));
    if (changes.length === 0 && sub.status === 'changed')
      lines.push('- SDL changed with no client-facing change (internal fields, descriptions or formatting)');
    lines.push('');
  }
  if (report.graph.changes.length > 0) {
    lines.push('### graph (changes only the subgraphs together make)', ...report.graph.changes.map(changeLine), '');
  }
  const ops = [
    ...operations.added.map((o) => `- registered ${o}`),
    ...operations.changed.map((o) => `- changed ${o}`),
    ...operations.removed.map((o) => `- unregistered ${o}`),
  ];
  if (ops.length > 0) lines.push('### operations', ...ops, '');
  return lines.join('\n');
}

export function prependEntry(existing: string | undefined, entry: string): string {
  const body = existing?.startsWith(CHANGELOG_HEADER) ? existing.slice(CHANGELOG_HEADER.length).replace(/^\n+/, '') : (existing ?? '');
  return `${CHANGELOG_HEADER}\n${entry}\n${body}`.replace(/\n+$/, '\n');
}
