import { writeFileSync } from 'node:fs';
import { compose, supergraphFile } from './compose.ts';

const result = compose();
if (!result.supergraphSdl) {
  for (const e of result.errors) console.error(`composition error: ${e.message}`);
  process.exit(1);
}
writeFileSync(supergraphFile, result.supergraphSdl);
console.log(`wrote ${supergraphFile.pathname}`);
