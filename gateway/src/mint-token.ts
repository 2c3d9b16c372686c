import { parseArgs } from 'node:util';
import { loadEnv } from './env.ts';
import { mintToken } from './edge/auth.ts';

/** `npm run token -- --sub user-1 --roles admin`: a development JWT the gateway accepts. */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'user-1' },
    roles: { type: 'string', default: '' },
    expires: { type: 'string', default: '12h' },
  },
});
const roles = values.roles
  .split(',')
  .map((r) => r.trim())
  .filter(Boolean);
const env = loadEnv();
console.log(await mintToken(env.jwtSecret, values.sub, roles, values.expires, env.edge.tokenClaims));
