/**
 * What a run prints and keeps: each section's table (markdown, columns aligned so the terminal reads
 * it too), and one entry per run appended to the results file with the machine, load, node and commit.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus, loadavg, setPriority } from 'node:os';
import { REPO_ROOT } from '@ecom/platform/env';

export type Cell = string | number;

/** A number for a table: fixed decimals, `–` when there is none. */
export function num(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

/** `min–max` of a series (a ratio's spread over rounds). */
export function range(values: number[], digits = 2): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  return `${Math.min(...finite).toFixed(digits)}–${Math.max(...finite).toFixed(digits)}`;
}

export function table(header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`,
    ...rows.map((r) => line(r.map(String))),
  ].join('\n');
}

export interface SectionReport {
  title: string;
  /** Lines before the table: what was run, how, and anything to read it by. */
  notes: string[];
  tables: string[];
}

/**
 * The bench's own process (the load generator and the clock of every latency) runs ahead of the
 * servers: on a machine where they share two cores, a generator that waits for the CPU like
 * everyone else measures its own waiting (30–50 ms at p99 here) as the graph's latency. It spends
 * little CPU, so this takes almost nothing from the servers. Needs root (or CAP_SYS_NICE); without
 * it the header says so.
 */
let priorityNote: string | undefined;
export function loadGeneratorPriority(): string {
  if (priorityNote) return priorityNote;
  try {
    setPriority(0, -10);
    priorityNote = 'load generator at nice -10';
  } catch {
    priorityNote = 'load generator at normal priority (nice -10 refused)';
  }
  return priorityNote;
}

export function machine(): string {
  const commit = (() => {
    try {
      const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
      return dirty ? `${head} (uncommitted changes)` : head;
    } catch {
      return 'unknown';
    }
  })();
  const cores = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${new Date().toISOString()} · commit ${commit} · ${cores.length} × ${cores[0]?.model.trim() ?? 'cpu'} · load ${load} · node ${process.version} · ${loadGeneratorPriority()}`;
}

export function print(report: SectionReport): void {
  console.log(`\n## ${report.title}\n`);
  for (const note of report.notes) console.log(note);
  for (const t of report.tables) console.log(`\n${t}`);
}

/** Appends a run to the results file: its header line, then every section as printed. */
export function appendResults(file: string, header: string, reports: SectionReport[]): void {
  const body = reports.map((r) => [`### ${r.title}`, '', ...r.notes.map((n) => `${n}  `), ...r.tables.flatMap((t) => ['', t]), ''].join('\n'));
  appendFileSync(file, `\n## ${header}\n\n${body.join('\n')}\n`);
}
