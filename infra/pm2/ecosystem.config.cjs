// What `npm start` supervises: the gateway and every subgraph, each as one process run by pm2-runtime
// (pm2 in the foreground, no daemon). A process that dies is started again after a growing delay, and
// the others carry on: one crashed subgraph is a degraded graph (its fields answer
// SERVICE_UNAVAILABLE), never a stopped one. CommonJS because pm2 `require`s this file.
'use strict';

const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');

/**
 * Each workspace's own `start` script is the command, so changing how a package starts (compiled
 * JavaScript instead of tsx, say) is a change to that package.json only. It must be one plain
 * command, run without a shell, so that the process pm2 watches (and a `kill -9` hits) is the server
 * itself, not a shell or a launcher whose child would outlive it holding the port.
 */
function startCommand(dir) {
  const script = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.start;
  if (!script) return undefined;
  if (!/^[\w@%+=:,./-]+( +[\w@%+=:,./-]+)*$/.test(script.trim())) {
    throw new Error(`${dir}/package.json: "start" must be one plain command without shell syntax, found: ${script}`);
  }
  const [command, ...args] = script.trim().split(/ +/);
  // `node` is the node running pm2; anything else is a binary the workspace installed.
  const local = [join(dir, 'node_modules/.bin', command), join(ROOT, 'node_modules/.bin', command)].find(existsSync);
  return { script: command === 'node' ? process.execPath : (local ?? command), args };
}

/**
 * The gateway, then every subgraph with a start script (platform has none: it is a library), then the
 * storefront (its bundle is built by `npm start`'s build step; it serves it and forwards to the gateway).
 */
const workspaces = [
  join(ROOT, 'gateway'),
  join(ROOT, 'clients/storefront'),
  ...readdirSync(join(ROOT, 'subgraphs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(ROOT, 'subgraphs', entry.name))
    .sort(),
];

/**
 * Each process's Prometheus port (contract: gateway 9464, then product, pricing, inventory, cart,
 * order, marketing on 9465–9470). Under `npm start` one `METRICS_PORT` moves them all: it is the
 * gateway's, and the subgraphs follow it in that order (a second graph on one machine sets one
 * variable); `0` or `off` turns metrics off everywhere.
 */
const METRICS_ORDER = ['gateway', 'product', 'pricing', 'inventory', 'cart', 'order', 'marketing'];
function metricsPortOf(name) {
  const setting = (process.env.METRICS_PORT ?? '').trim();
  if (setting === 'off' || setting === '0') return 'off';
  const base = setting === '' ? 9464 : Number(setting);
  if (!Number.isInteger(base) || base < 1 || base + METRICS_ORDER.length - 1 > 65535) {
    throw new Error(`METRICS_PORT: expected a port, 0 or off, found ${setting}`);
  }
  const index = METRICS_ORDER.indexOf(name);
  return index === -1 ? 'off' : String(base + index);
}

/**
 * The subgraphs run at a lower CPU priority than the gateway (CPU_NICE, subgraphs/platform's
 * cpu-priority.ts): on one machine under load the edge then answers first — a refusal, a health
 * probe, the next fetch of a plan — instead of waiting in the run queue behind six busy subgraphs.
 * `CPU_NICE=0 npm start` turns it off.
 */
const SUBGRAPH_CPU_NICE = (() => {
  const setting = (process.env.CPU_NICE ?? '').trim();
  if (setting === '') return '10';
  if (!/^\d+$/.test(setting) || Number(setting) > 19) throw new Error(`CPU_NICE: expected a nice value from 0 to 19, found ${setting}`);
  return setting;
})();

const apps = workspaces.flatMap((dir) => {
  const command = startCommand(dir);
  if (!command) return [];
  const name = dir.split('/').pop();
  const subgraph = dir.startsWith(join(ROOT, 'subgraphs'));
  return [
    {
      name,
      cwd: dir,
      env: { METRICS_PORT: metricsPortOf(name), ...(subgraph ? { CPU_NICE: SUBGRAPH_CPU_NICE } : {}) },
      script: command.script,
      args: command.args,
      // Run the command itself, not through pm2's node wrapper: the pid pm2 reports is the server's.
      interpreter: 'none',
      autorestart: true,
      // First restart after 200 ms, then ×1.5 each time up to 15 s; back to 200 ms once a process
      // has stayed up for 30 s (pm2's EXP_BACKOFF_RESET_TIMER). A crash loop never gives up.
      exp_backoff_restart_delay: 200,
      // Ctrl-C / SIGTERM reach each process as SIGINT; it drains for up to 10 s (gateway and
      // subgraphs alike) before pm2 sends SIGKILL.
      kill_signal: 'SIGINT',
      kill_timeout: 12_000,
      // Logs stream to the terminal and to $PM2_HOME/logs/<name>-out.log and <name>-error.log.
    },
  ];
});

module.exports = { apps };
