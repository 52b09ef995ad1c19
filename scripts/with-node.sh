#!/usr/bin/env bash
# scripts/with-node.sh <major> <command> [args...]
# Runs a command with Node <major> first on PATH. When the machine's own Node is another major, that Node
# comes from the npm registry's `node` package (a real binary, no other download) into a cache folder
# outside the repository, fetched once and reused: ${XDG_CACHE_HOME:-~/.cache}/aggregator-contracts/node-<major>.
set -euo pipefail

if [ $# -lt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/with-node.sh <node major, e.g. 24> <command> [args...]" >&2
  exit 2
fi
major=$1
shift

current=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
if [ "$current" != "$major" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/aggregator-contracts/node-$major"
  bin="$cache/node_modules/node/bin"
  if ! [ -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$major" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "with-node: Node $major is needed and there is no npm to fetch it with: install Node $major (see .nvmrc)." >&2
      exit 1
    fi
    echo "with-node: fetching Node $major from the npm registry into $cache (once)" >&2
    # Into a fresh folder first, so an interrupted fetch never leaves a half-installed cache behind.
    staging=$(mktemp -d "${cache}.partial.XXXXXX" 2>/dev/null || { mkdir -p "$(dirname "$cache")"; mktemp -d "${cache}.partial.XXXXXX"; })
    trap 'rm -rf "$staging"' EXIT
    # The package's preinstall script is what npm 11 warns about; the binary it ships works without it.
    if ! log=$(npm install --prefix "$staging" --no-save --no-audit --no-fund --loglevel=error "node@$major" 2>&1); then
      printf '%s\n' "$log" >&2
      echo "with-node: could not fetch node@$major from the npm registry: the npm output is above." >&2
      exit 1
    fi
    rm -rf "$cache"
    mv "$staging" "$cache"
    trap - EXIT
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
