import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { invocationDir } from './env.ts';

export interface RegistryCliArgs {
  json?: string;
  operationsFrom?: string;
}

/**
 * `--json <file>` and `--operations-from <dir>`. Paths are relative to where the person typed the
 * command: npm runs the workspace script inside schema/ but records the original directory in INIT_CWD.
 */
export function parseRegistryArgs(argv: string[], cwd: string = invocationDir()): RegistryCliArgs {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'string' }, 'operations-from': { type: 'string' } },
    allowPositionals: false,
  });
  return {
    ...(values.json ? { json: resolve(cwd, values.json) } : {}),
    ...(values['operations-from'] ? { operationsFrom: resolve(cwd, values['operations-from']) } : {}),
  };
}
