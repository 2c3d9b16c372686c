import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * The house rules the linter holds (STYLE.md rules 1 and 6, no floating promises) fail a change that
 * breaks them. The fixtures under fixtures/lint/ break them on purpose and are left out of `npm run lint`;
 * here each is linted with the repository's own eslint.config.js, as if it sat where the rule applies.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => new URL(`./fixtures/lint/${name}`, import.meta.url);

// Boundary rules read paths and imports, not types: without a TypeScript program a virtual path is enough.
const untyped = new ESLint({
  cwd: repoRoot,
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked, languageOptions: { parserOptions: { projectService: false } } }],
});

async function ruleIdsAt(fixtureName: string, path: string): Promise<string[]> {
  const [result] = await untyped.lintText(readFileSync(fixture(fixtureName), 'utf8'), { filePath: `${repoRoot}${path}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint boundaries', () => {
  it('fails a subgraph importing a sibling subgraph, and lets its tests boot siblings in process', async () => {
    expect(await ruleIdsAt('sibling-import.ts', 'subgraphs/order/src/services/sibling.ts')).toEqual(['no-restricted-imports']);
    expect(await ruleIdsAt('sibling-import.ts', 'subgraphs/order/test/sibling.ts')).toEqual([]);
  });

  it('fails the platform importing a subgraph', async () => {
    expect(await ruleIdsAt('platform-import.ts', 'subgraphs/platform/src/product-sdl.ts')).toEqual(['no-restricted-imports']);
  });

  it("fails a process.env read outside env.ts, and allows it in a package's env.ts", async () => {
    expect(await ruleIdsAt('env-read.ts', 'subgraphs/pricing/src/services/port.ts')).toEqual(['no-process-env']);
    expect(await ruleIdsAt('env-read.ts', 'gateway/src/plugins/port.ts')).toEqual(['no-process-env']);
    expect(await ruleIdsAt('env-read.ts', 'subgraphs/pricing/src/env.ts')).toEqual([]);
  });

  it("fails an import from a package's dist/ internals", async () => {
    expect(await ruleIdsAt('dist-import.ts', 'subgraphs/platform/src/resolvers.ts')).toEqual(['no-restricted-imports']);
  });

  it('fails a floating promise and a promise passed where a void callback is expected', { timeout: 120_000 }, async () => {
    // The fixture is linted in place, with type information; `ignore: false` lifts the fixtures' exclusion.
    const typed = new ESLint({ cwd: repoRoot, ignore: false });
    const [result] = await typed.lintFiles([fileURLToPath(fixture('floating-promise.ts'))]);
    expect((result?.messages ?? []).map((m) => m.ruleId)).toEqual([
      '@typescript-eslint/no-floating-promises',
      '@typescript-eslint/no-misused-promises',
    ]);
  });
});
