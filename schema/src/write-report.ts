import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckReport } from './check.ts';
import type { RegistryPaths } from './registry.ts';

/** Always `<registry>/.reports/check.json` (gitignored), and `--json <file>` when asked. */
export function writeReport(report: CheckReport, paths: RegistryPaths, extraFile?: string): string[] {
  const { supergraphSdl: _omitted, ...json } = report;
  const files = [join(paths.reportsDir, 'check.json'), ...(extraFile ? [extraFile] : [])];
  for (const file of files) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  }
  return files;
}
