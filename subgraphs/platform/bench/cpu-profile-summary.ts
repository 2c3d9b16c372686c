/**
 * Sums up a V8 CPU profile (entities-cpu.ts with BENCH_CPU_PROF, or `node --cpu-prof`): where the
 * time went by package or source file (self time), by function (self time), and by function
 * including what it called (each sample counted once per function on its stack). Idle time is left
 * out of the percentages.
 *
 *   npx tsx subgraphs/platform/bench/cpu-profile-summary.ts /tmp/prof/this-pricing.cpuprofile [rows]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [rows]');
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

/** `graphql`, `@apollo/server`, `platform/src/loaders.ts`, `node:internal`, `(garbage collector)`… */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = path.slice(modules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? path);
  }
  if (path.startsWith('node:')) return 'node:internal';
  const ours = /\/subgraphs\/(.+)$/.exec(path);
  return ours ? ours[1]! : path;
}

const keyOf = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  return `${functionName || '(anonymous)'} ${packageOf(url, functionName)}:${lineNumber + 1}`;
};

// Each sample's time is the delta to the next one (the last gets the mean).
const deltas = profile.timeDeltas.slice(1);
const mean = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
const self = new Map<string, number>();
const packages = new Map<string, number>();
const inclusive = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id)!;
  const us = deltas[i] ?? mean;
  if (node.callFrame.functionName === '(idle)') return;
  busy += us;
  const key = keyOf(node);
  self.set(key, (self.get(key) ?? 0) + us);
  const pkg = packageOf(node.callFrame.url, node.callFrame.functionName);
  packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const k = keyOf(byId.get(at)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
});

function print(title: string, totals: Map<string, number>) {
  console.log(`\n${title}`);
  for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
}

console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms profiled`);
print('self time by package or file', packages);
print('self time by function', self);
print('inclusive time by function', inclusive);
