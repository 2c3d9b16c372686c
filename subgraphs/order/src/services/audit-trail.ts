import { auditSlice, checkAuditPage, encodeAuditCursor, type AuditEntryView, type AuditFilterInput } from '@ecom/platform/audit-trail';
import { domainError, type DomainErrorResult } from '@ecom/platform/errors';
import { hasRole } from '@ecom/platform/request-context';
import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import type { OrderContext } from '../context.ts';
import { auditLog } from '../db/schema.ts';
import { OrderCartAuditEntriesDocument } from '../generated/cart-calls.ts';
import { OrderInventoryAuditEntriesDocument } from '../generated/inventory-calls.ts';

interface AuditTrailArgs {
  filter: AuditFilterInput;
  first: number;
  after?: string | null;
}

export type AuditTrailResult =
  | { __typename: 'AuditTrailPage'; entries: AuditEntryView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
  | DomainErrorResult<'UnauthenticatedError'>
  | DomainErrorResult<'PermissionDeniedError'>;

const newestFirst = (a: AuditEntryView, b: AuditEntryView) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1);

/**
 * The trail as one list: each mutating subgraph keeps its own rows (in the transaction of their
 * effect), so this subgraph reads its own and asks cart and inventory for theirs through the
 * registered internal calls, each a page and one more past the same cursor, and merges them.
 */
export async function auditTrail(ctx: OrderContext, args: AuditTrailArgs): Promise<AuditTrailResult> {
  if (!ctx.principal.userId) return domainError('UnauthenticatedError', 'Sign in with a back-office account to read the audit trail.');
  if (!hasRole(ctx.principal, 'admin')) {
    return domainError('PermissionDeniedError', 'Reading the audit trail needs the admin role. Ask a back-office administrator for access.');
  }
  checkAuditPage(args.first);
  const slice = { filter: args.filter, first: args.first + 1, after: args.after ?? null };
  const [own, cart, inventory] = await Promise.all([
    auditSlice(ctx.db, auditLog, 'order', ctx, slice),
    withSiblingFaults(ctx.subgraphs.request('cart', OrderCartAuditEntriesDocument, slice, ctx)),
    withSiblingFaults(ctx.subgraphs.request('inventory', OrderInventoryAuditEntriesDocument, slice, ctx)),
  ]);
  const merged = [...own, ...cart.cartAuditEntries, ...inventory.inventoryAuditEntries].sort(newestFirst);
  const entries = merged.slice(0, args.first);
  const last = entries.at(-1);
  return {
    __typename: 'AuditTrailPage',
    entries,
    pageInfo: { hasNextPage: merged.length > args.first, endCursor: last ? encodeAuditCursor(last) : null },
  };
}
