import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { operationLabel, type RegisteredOperation } from './operations.ts';

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface ReportedChange {
  type: string;
  level: ChangeLevel;
  message: string;
  path?: string;
  reason?: string;
  /** The subgraphs whose SDL change alone produces it; empty when only their combination does. */
  subgraphs: string[];
  /** Registered operations (client/Name) that touch what changed. */
  operations: string[];
  /** fail: breaking and used by a registered operation; warn: breaking but unused. */
  verdict: 'fail' | 'warn' | 'ok';
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

export const diffApiSchemas = (before: GraphQLSchema, after: GraphQLSchema): Promise<Change[]> => diff(before, after);

export const changeKey = (c: Change): string => `${c.type}|${c.path ?? ''}|${c.message}`;

/**
 * The coordinates (as operationUsage names them) whose use makes an operation depend on a change.
 * Most changes sit at their path; some only exist in the new schema (an added required argument or
 * input field, an enum value or union member), so they count against the type or field that holds them.
 */
export function affectedCoordinates(change: Change): string[] {
  const meta = change.meta as Record<string, string | undefined>;
  switch (change.type) {
    case ChangeType.EnumValueRemoved:
    case ChangeType.EnumValueAdded:
      return [meta['enumName'] ?? ''];
    case ChangeType.InputFieldAdded:
    case ChangeType.InputFieldRemoved:
    case ChangeType.InputFieldTypeChanged:
      return [meta['inputName'] ?? ''];
    case ChangeType.UnionMemberRemoved:
    case ChangeType.UnionMemberAdded:
      return [meta['unionName'] ?? ''];
    case ChangeType.FieldArgumentAdded:
      return [`${meta['typeName']}.${meta['fieldName']}`];
    case ChangeType.ObjectTypeInterfaceRemoved:
      return [meta['objectTypeName'] ?? '', meta['removedInterfaceName'] ?? ''];
    default:
      return change.path ? [change.path] : [];
  }
}

export function reportChanges(
  changes: Change[],
  usage: { op: RegisteredOperation; used: Set<string> }[],
  attribution: Map<string, string[]>,
): ReportedChange[] {
  return changes.map((change) => {
    const level = LEVELS[change.criticality.level];
    const coordinates = affectedCoordinates(change).filter(Boolean);
    const operations = usage.filter(({ used }) => coordinates.some((c) => used.has(c))).map(({ op }) => operationLabel(op));
    const verdict = level !== 'breaking' ? 'ok' : operations.length > 0 ? 'fail' : 'warn';
    return {
      type: change.type as string,
      level,
      message: change.message,
      ...(change.path ? { path: change.path } : {}),
      ...(change.criticality.reason ? { reason: change.criticality.reason } : {}),
      subgraphs: attribution.get(changeKey(change)) ?? [],
      operations,
      verdict,
    };
  });
}
