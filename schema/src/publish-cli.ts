import { parseRegistryArgs } from './cli-args.ts';
import { checkEvents, formatEventReport } from './event-check.ts';
import { loadEventCheckInput, publishEvents } from './event-registry.ts';
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

// Domain events publish on their own check: a broken consumer refuses them, whatever the graph did.
const eventInput = loadEventCheckInput();
const events = checkEvents(eventInput);
console.log(formatEventReport(events));
if (!events.ok) {
  console.error('schema:publish refused the event schemas: the event check failed.');
  process.exitCode = 1;
} else {
  for (const file of publishEvents(eventInput, events.changed, events.retired)) console.log(`  wrote ${file}`);
}
