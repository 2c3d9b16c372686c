/**
 * The registry's one reader of the environment. npm runs a workspace script inside schema/ but records
 * the directory the person typed the command in as INIT_CWD; paths they give are relative to it.
 */
export function invocationDir(): string {
  return process.env['INIT_CWD'] ?? process.cwd();
}
