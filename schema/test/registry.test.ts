import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check.ts';
import { loadCheckInput } from '../src/check-input.ts';
import { apiSchemaOf, compose, readPublishedSupergraph } from '../src/compose.ts';
import { buildManifest, operationId, operationLabel, readContractOperations, readManifest, readRegisteredOperations } from '../src/operations.ts';

/** CI clones the repo with the shared contract beside it. */
const contractDir = fileURLToPath(new URL('../../../shared/contract/operations', import.meta.url));

describe('the committed registry', () => {
  it('holds the supergraph composed from the working subgraphs', () => {
    const composed = compose();
    expect(composed.errors).toEqual([]);
    expect(readPublishedSupergraph()).toBe(composed.supergraphSdl);
  });

  it('has a persisted-operation manifest with every registered operation, hashed by its body', () => {
    const ops = readRegisteredOperations();
    const manifest = readManifest();
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations).toHaveLength(ops.length);
    for (const op of ops) {
      expect(manifest.operations).toContainEqual({ id: op.id, name: op.name, type: op.type, body: op.body, clientName: op.client });
    }
    for (const entry of manifest.operations) expect(entry.id).toBe(operationId(entry.body));
    expect(manifest).toEqual(buildManifest(ops));
  });

  it('registers every contract operation for its clients, each body self-contained and valid', () => {
    expect(existsSync(contractDir)).toBe(true);
    const registered = new Map(readRegisteredOperations().map((o) => [operationLabel(o), o]));
    const contract = readContractOperations(contractDir);
    expect(contract.map(operationLabel)).toEqual(
      expect.arrayContaining(['web/CategoryListing', 'ios/MobileListing', 'android/MobileListing', 'backoffice/AdjustStock']),
    );
    const api = apiSchemaOf(readPublishedSupergraph());
    for (const op of contract) {
      expect(registered.get(operationLabel(op))?.body, operationLabel(op)).toBe(op.body);
      expect(validate(api, parse(op.body)), operationLabel(op)).toEqual([]);
    }
  });

  it('keeps each operation file equal to the body the client sends', () => {
    for (const op of readRegisteredOperations()) {
      const file = new URL(`../operations/${op.client}/${op.name}.graphql`, import.meta.url);
      expect(readFileSync(file, 'utf8')).toBe(`${op.body}\n`);
    }
  });

  it('passes the check for the working SDLs against the published ones', async () => {
    const report = await runCheck(loadCheckInput());
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
