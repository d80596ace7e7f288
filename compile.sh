#!/usr/bin/env bash
# Builds dist/cairn: one self-contained executable with the Bun runtime, the
# example hunt and the UI assets inside. The host needs no Node, Bun or network.
set -euo pipefail
cd "$(dirname "$0")"
bun=./node_modules/.bin/bun
[ -x "$bun" ] || { echo "compile.sh: run 'npm ci' first (bun comes from npm)" >&2; exit 1; }
mkdir -p dist
"$bun" build src/main.ts --compile --minify --outfile dist/cairn "$@" >/dev/null
size=$(stat -c %s dist/cairn)
echo "dist/cairn: $((size / 1024 / 1024)) MiB"
