import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publish } from '../src/publish.ts';
import { defaultRegistry, readPublishedSubgraphs, registryAt, type RegistryPaths } from '../src/registry.ts';
import { readManifest } from '../src/operations.ts';
import { editedSubgraphs } from './fixtures.ts';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the committed registry in a temp dir, so publishing never touches the real one. */
function registryCopy(): RegistryPaths {
  const root = mkdtempSync(join(tmpdir(), 'registry-'));
  temps.push(root);
  for (const part of ['subgraphs', 'operations', 'supergraph.graphql', 'CHANGELOG.md']) {
    cpSync(join(defaultRegistry.root, part), join(root, part), { recursive: true });
  }
  return registryAt(root);
}

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files[p.slice(dir.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

describe('schema publish', () => {
  it('refuses a failing change and writes nothing', async () => {
    const paths = registryCopy();
    const before = snapshot(paths.root);
    const working = editedSubgraphs([{ subgraph: 'product', from: /\n  imageUrl: String!/, to: '' }]);
    const result = await publish({ paths, working: { ...readPublishedSubgraphs(paths), product: working['product']! } });
    expect(result.published).toBe(false);
    expect(result.report.ok).toBe(false);
    expect(result.written).toEqual([]);
    expect(snapshot(paths.root)).toEqual(before);
  });

  it('publishes a passing change: SDL, supergraph and a dated changelog entry', async () => {
    const paths = registryCopy();
    const published = readPublishedSubgraphs(paths);
    const product = published['product']!.replace('  imageUrl: String!\n', '  imageUrl: String!\n  weightGrams: Int\n');
    expect(product).not.toBe(published['product']);
    const result = await publish({ paths, working: { ...published, product }, date: '2030-01-02' });
    expect(result.published).toBe(true);
    expect(result.written.sort()).toEqual(['CHANGELOG.md', 'subgraphs/product.graphql', 'supergraph.graphql']);
    expect(readFileSync(join(paths.subgraphsDir, 'product.graphql'), 'utf8')).toBe(product);
    expect(readFileSync(paths.supergraphFile, 'utf8')).toContain('weightGrams: Int');
    const changelog = readFileSync(paths.changelogFile, 'utf8');
    const entry = changelog.slice(changelog.indexOf('## 2030-01-02'));
    expect(entry.split('\n## ')[0]).toMatch(/### product\n- safe: Field 'weightGrams' was added to object type 'Product'/);
    expect(entry.split('\n## ')[0]).not.toContain('### pricing');

    const again = await publish({ paths, working: { ...published, product }, date: '2030-01-03' });
    expect(again.published).toBe(false);
    expect(readFileSync(paths.changelogFile, 'utf8')).toBe(changelog);
  });

  it('registers a new operation with its manifest entry', async () => {
    const paths = registryCopy();
    const contract = mkdtempSync(join(tmpdir(), 'contract-'));
    temps.push(contract);
    cpSync(join(paths.operationsDir, 'web'), join(contract, 'web'), { recursive: true });
    cpSync(join(paths.operationsDir, 'ios'), join(contract, 'mobile'), { recursive: true });
    cpSync(join(paths.operationsDir, 'backoffice'), join(contract, 'backoffice'), { recursive: true });
    cpSync(join(paths.operationsDir, 'web', 'Categories.graphql'), join(contract, 'backoffice', 'Categories.graphql'));
    // The registered files repeat shared fragments; a contract folder holds each once.
    rmSync(join(contract, 'web'), { recursive: true });
    cpSync(join(paths.operationsDir, 'web', 'Categories.graphql'), join(contract, 'web', 'Categories.graphql'), { recursive: true });

    const result = await publish({ paths, working: readPublishedSubgraphs(paths), operationsFrom: contract, date: '2030-01-02' });
    expect(result.published).toBe(true);
    expect(result.written).toContain('operations/backoffice/Categories.graphql');
    expect(result.removed).toContain('operations/web/AddToCart.graphql');
    const manifest = readManifest(paths.manifestFile);
    expect(manifest.operations.filter((o) => o.name === 'Categories').map((o) => o.clientName)).toEqual(['web', 'backoffice']);
    expect(result.entry).toContain('- registered backoffice/Categories');
    expect(result.entry).toContain('- unregistered web/AddToCart');
  });
});
