import { readAuditEntries, type AuditCursor, type AuditFilter, type AuditRow, type AuditTable } from './audit.ts';
import type { Db } from './db.ts';
import { fault, invalidArgument } from './errors.ts';
import { hasRole, type Principal } from './request-context.ts';
import type { CallerName } from './subgraph-names.ts';

/** An audit row as the graph's AuditEntry shows it. */
export interface AuditEntryView {
  id: string;
  at: string;
  service: string;
  actor: string;
  actorRoles: string[];
  action: string;
  targets: string[];
  result: string;
  code: string | null;
  replay: boolean;
  idempotencyKey: string | null;
  requestId: string;
  traceId: string | null;
}

export interface AuditFilterInput {
  actor?: string | null;
  target?: string | null;
  from?: string | null;
  to?: string | null;
}

export const MAX_AUDIT_PAGE = 100;

export const toAuditEntry = (service: string, row: AuditRow): AuditEntryView => ({ ...row, service, at: row.at.toISOString() });

function instant(value: string | null | undefined, field: string): Date | null {
  if (!value) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalidArgument(`${field} must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z.`, field);
  return at;
}

export function auditFilterOf(input: AuditFilterInput): AuditFilter {
  return { actor: input.actor, target: input.target, from: instant(input.from, 'filter.from'), to: instant(input.to, 'filter.to') };
}

export const encodeAuditCursor = (entry: Pick<AuditEntryView, 'at' | 'id'>) =>
  Buffer.from(JSON.stringify([entry.at, entry.id])).toString('base64url');

export function decodeAuditCursor(cursor: string | null | undefined): AuditCursor | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const when = new Date(String(at));
    if (typeof id === 'string' && !Number.isNaN(when.getTime())) return { at: when, id };
  } catch {
    // answered below
  }
  throw invalidArgument('The cursor is not valid for this trail. Start again without `after`.', 'after');
}

export function checkAuditPage(first: number, max = MAX_AUDIT_PAGE): void {
  if (!Number.isInteger(first) || first < 1 || first > max) throw invalidArgument(`first must be between 1 and ${max}.`, 'first');
}

/**
 * One subgraph's slice of the trail, for the order subgraph that serves it to admins. Order checked
 * the admin role itself; roles never travel on sibling calls (only the gateway's requests carry
 * them), so the verified caller is what lets it in. Anyone else needs the admin role here too.
 */
export async function auditSlice(
  db: Db<Record<string, unknown>>,
  table: AuditTable,
  service: string,
  request: { principal: Principal; caller: CallerName },
  args: { filter: AuditFilterInput; first: number; after?: string | null },
): Promise<AuditEntryView[]> {
  if (request.caller !== 'order' && !hasRole(request.principal, 'admin'))
    throw fault('UNAUTHENTICATED', 'The audit trail is for back-office administrators.');
  // One more than a page: the subgraph that merges the slices needs it to tell whether more follow.
  checkAuditPage(args.first, MAX_AUDIT_PAGE + 1);
  const rows = await readAuditEntries(db, table, auditFilterOf(args.filter), args.first, decodeAuditCursor(args.after));
  return rows.map((row) => toAuditEntry(service, row));
}
