#!/bin/sh
# The container's entry point, and the production-command test's: run one workspace's package.json
# script without npm in between, so the process gets SIGTERM straight from tini (npm would add a
# process, write logs under a read-only $HOME, and delay the drain).
#
#   infra/run-script.sh <workspace dir> [script, default start:prod] [args...]
#   infra/run-script.sh gateway
#   infra/run-script.sh subgraphs/platform migrate product
#
# The command is read from the workspace's package.json, so when `start:prod` changes (e.g. to
# `node dist/index.js` once there is a build step) the image and the manifests need no change.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
workspace=${1:?usage: run-script.sh <workspace dir> [script] [args...]}
shift
script=${1:-start:prod}
[ $# -gt 0 ] && shift
cd "$root/$workspace"
command=$(node -e '
  const scripts = require(process.argv[1]).scripts ?? {};
  const command = scripts[process.argv[2]];
  if (!command) { console.error(`no "${process.argv[2]}" script in ${process.argv[1]}`); process.exit(1); }
  process.stdout.write(command);
' "$PWD/package.json" "$script")
PATH="$PWD/node_modules/.bin:$root/node_modules/.bin:$PATH"
export PATH
# `exec` inside too: the script's own command replaces the shell, as npm's `sh -c` would not.
exec sh -c "exec $command \"\$@\"" "$script" "$@"
