import { parseRegistryArgs } from './cli-args.ts';
import { formatReport } from './format-report.ts';
import { publish } from './publish.ts';
import { defaultRegistry } from './registry.ts';
import { writeReport } from './write-report.ts';

const args = parseRegistryArgs(process.argv.slice(2));
const result = await publish({ ...(args.operationsFrom ? { operationsFrom: args.operationsFrom } : {}) });
console.log(formatReport(result.report));
writeReport(result.report, defaultRegistry, args.json);
if (!result.report.ok) {
  console.error('\nschema:publish refused: the check failed, nothing was written.');
  process.exitCode = 1;
} else if (!result.published) {
  console.log('\nnothing to publish: the registry already holds this state.');
} else {
  console.log(`\npublished:\n${[...result.written.map((f) => `  wrote ${f}`), ...result.removed.map((f) => `  removed ${f}`)].join('\n')}`);
}
