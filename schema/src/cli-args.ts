import { parseArgs } from 'node:util';

export interface RegistryCliArgs {
  json?: string;
  operationsFrom?: string;
}

export function parseRegistryArgs(argv: string[]): RegistryCliArgs {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'string' }, 'operations-from': { type: 'string' } },
    allowPositionals: false,
  });
  return {
    ...(values.json ? { json: values.json } : {}),
    ...(values['operations-from'] ? { operationsFrom: values['operations-from'] } : {}),
  };
}
