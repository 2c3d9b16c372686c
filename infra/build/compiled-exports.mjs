#!/usr/bin/env node
// Gives every `exports` entry of a built workspace (one with a "build" script) its compiled twin:
//   "./db": "./src/db.ts"  becomes  "./db": { "compiled": "./dist/db.js", "default": "./src/db.ts" }
// `npm start` runs `node --conditions=compiled dist/index.js`, so one package's compiled code loads
// another's compiled code; everything else (vitest, tsx, tsc, eslint, drizzle-kit) takes "default",
// the TypeScript source, as before. Re-runnable: entries already conditional are left alone.
//   node infra/build/compiled-exports.mjs          rewrite the package.json files
//   node infra/build/compiled-exports.mjs --check  list the entries missing their twin; exit 1 if any
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const check = process.argv.includes('--check');

/** The workspace directories named by the root package.json (`dir` or `dir/*`). */
function workspaces() {
  const patterns = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces ?? [];
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(ROOT, pattern)];
    const parent = join(ROOT, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name));
  });
}

/** `text` with its top-level "exports" object replaced, the rest of the file as written (small merges). */
function withExports(text, exports) {
  const start = text.indexOf('{', text.indexOf('"exports"'));
  let depth = 0;
  let end = start;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    if (text[end] === '}' && --depth === 0) break;
  }
  const indent = /\n( *)"exports"/.exec(text)?.[1] ?? '  ';
  const body = JSON.stringify(exports, null, 2).replace(/\n/g, `\n${indent}`);
  return text.slice(0, start) + body + text.slice(end + 1);
}

const missing = [];
for (const dir of workspaces()) {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  const pkg = JSON.parse(text);
  if (!pkg.scripts?.build || !pkg.exports) continue;
  let changed = false;
  for (const [key, target] of Object.entries(pkg.exports)) {
    const source = /^\.\/src\/(.+)\.ts$/.exec(typeof target === 'string' ? target : '');
    if (!source) continue;
    missing.push(`${pkg.name} ${key}`);
    pkg.exports[key] = { compiled: `./dist/${source[1]}.js`, default: target };
    changed = true;
  }
  if (changed && !check) writeFileSync(file, withExports(text, pkg.exports));
}

if (check && missing.length > 0) {
  console.error(`exports without a "compiled" twin (run node infra/build/compiled-exports.mjs):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
if (!check) console.log(missing.length ? `gave ${missing.length} exports a compiled twin` : 'every export has its compiled twin');
