import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '@ecom/platform/env';
import { Kind, parse, print, visit, type DocumentNode, type FragmentDefinitionNode } from 'graphql';

/** The client contract's operations, beside the repository: the source of truth. */
const CONTRACT_DIR = resolve(REPO_ROOT, '../shared/contract/operations');
/** The registry's published copy (per client, fragments inlined), for a clone with no contract beside it. */
const REGISTRY_DIR = resolve(REPO_ROOT, 'schema/operations');
export const OPERATIONS_DIR = existsSync(CONTRACT_DIR) ? CONTRACT_DIR : REGISTRY_DIR;
/** The registry files mobile operations per app; the contract has one `mobile/` folder. */
const CONTRACT_FOLDER: Record<string, string> = { ios: 'mobile', android: 'mobile' };

const FRAGMENTS_FILE = 'web/fragments.graphql';

export interface ContractOperation {
  /** e.g. `web/CategoryListing` */
  name: string;
  /** The operation with exactly the shared fragments it uses (transitively) appended. */
  text: string;
  document: DocumentNode;
}

function fragmentsOf(file: string): Map<string, FragmentDefinitionNode> {
  const out = new Map<string, FragmentDefinitionNode>();
  for (const def of parse(readFileSync(file, 'utf8')).definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) out.set(def.name.value, def);
  }
  return out;
}

function spreadsIn(node: DocumentNode | FragmentDefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (s) => void names.push(s.name.value) });
  return names;
}

/** Appends the shared fragments an operation needs; a document with unused fragments is invalid. */
function withFragments(source: string, fragments: Map<string, FragmentDefinitionNode>): string {
  const own = parse(source);
  const defined = new Set(own.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.name.value] : [])));
  const needed: FragmentDefinitionNode[] = [];
  const queue = spreadsIn(own);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (defined.has(name)) continue;
    const fragment = fragments.get(name);
    if (!fragment) continue; // left for validation to report as unknown
    defined.add(name);
    needed.push(fragment);
    queue.push(...spreadsIn(fragment));
  }
  return [source.trimEnd(), ...needed.map((f) => print(f))].join('\n\n') + '\n';
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.graphql') ? [join(dir, e.name)] : [],
  );
}

/** Every registered operation; the web ones carry the web fragments they use. */
export function contractOperations(dir: string = OPERATIONS_DIR): ContractOperation[] {
  const fragmentsFile = join(dir, FRAGMENTS_FILE);
  const webFragments = existsSync(fragmentsFile) ? fragmentsOf(fragmentsFile) : new Map<string, FragmentDefinitionNode>();
  const byName = new Map<string, ContractOperation>();
  for (const file of walk(dir)
    .filter((f) => f !== fragmentsFile)
    .sort()) {
    const [folder, ...rest] = relative(dir, file)
      .replace(/\.graphql$/, '')
      .split('/');
    const name = [CONTRACT_FOLDER[folder!] ?? folder, ...rest].join('/');
    if (byName.has(name)) continue;
    const source = readFileSync(file, 'utf8');
    const text = name.startsWith('web/') ? withFragments(source, webFragments) : source;
    byName.set(name, { name, text, document: parse(text) });
  }
  return [...byName.values()];
}

/** One registered operation's text, e.g. `operation('web/CategoryListing')`. */
export function operation(name: string): string {
  const found = contractOperations().find((op) => op.name === name);
  if (!found) throw new Error(`no registered operation ${name} under ${OPERATIONS_DIR}`);
  return found.text;
}
