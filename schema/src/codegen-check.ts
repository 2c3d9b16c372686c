import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
// eslint-disable-next-line import-x/no-relative-packages -- issue 9 moves this upward import out of schema/ (another branch).
import config from '../../codegen.ts';

/**
 * Generates everything codegen.ts describes in memory and compares it with the committed files;
 * exits non-zero naming each stale or missing one. Paths in codegen.ts are relative to the repo root.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
process.chdir(root);
const outputs = (await generate({ ...config, cwd: root, silent: true }, false)) as { filename: string; content: string }[];
const stale = outputs.filter(({ filename, content }) => {
  const file = resolve(root, filename);
  return !existsSync(file) || readFileSync(file, 'utf8') !== content;
});
if (stale.length > 0) {
  console.error(`codegen:check: ${stale.length} generated file(s) are stale; run \`npm run codegen\` and commit:`);
  for (const { filename } of stale) console.error(`  ${filename}`);
  process.exitCode = 1;
} else {
  console.log(`codegen:check: ${outputs.length} generated files are up to date.`);
}
