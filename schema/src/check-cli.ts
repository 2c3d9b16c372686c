import { runCheck } from './check.ts';
import { loadCheckInput } from './check-input.ts';
import { parseRegistryArgs } from './cli-args.ts';
import { checkEvents, formatEventReport } from './event-check.ts';
import { loadEventCheckInput } from './event-registry.ts';
import { formatReport } from './format-report.ts';
import { defaultRegistry } from './registry.ts';
import { writeReport } from './write-report.ts';

const args = parseRegistryArgs(process.argv.slice(2));
const report = await runCheck(loadCheckInput({ ...(args.operationsFrom ? { operationsFrom: args.operationsFrom } : {}) }));
console.log(formatReport(report));
const files = writeReport(report, defaultRegistry, args.json);
console.log(`report: ${files.join(', ')}`);
// Domain events: the registry in schema/events against what producers write and consumers read.
const events = checkEvents(loadEventCheckInput());
console.log(formatEventReport(events));
process.exitCode = report.ok && events.ok ? 0 : 1;
