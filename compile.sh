#!/usr/bin/env bash
# Builds Cairn into one self-contained executable, with the example hunt and
# the UI assets inside. The host needs no Node, Bun, Deno or network.
#
#   bash compile.sh [BUN FLAGS]        dist/cairn, with Bun (bun build --compile)
#   bash compile.sh --deno [--target T]  dist/cairn-deno[-T], with deno compile
#
# `deno compile` downloads Deno's runtime (denort) for the target from
# dl.deno.land on first use; no npm package ships it. On a host without that
# access, point DENORT_BIN at a denort binary for the target.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//'
}

DENO_TARGETS="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc"

compile_deno() {
  local target=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --target)
        [ $# -ge 2 ] || { echo "compile.sh: --target needs a value: one of $DENO_TARGETS" >&2; exit 2; }
        target="$2"
        shift 2
        ;;
      --target=*) target="${1#--target=}"; shift ;;
      *) echo "compile.sh: unknown option for --deno: $1 (only --target T)" >&2; exit 2 ;;
    esac
  done
  if [ -n "$target" ] && ! [[ " $DENO_TARGETS " == *" $target "* ]]; then
    echo "compile.sh: unknown --target $target: one of $DENO_TARGETS" >&2
    exit 2
  fi
  local deno=./node_modules/deno/deno
  [ -x "$deno" ] || deno=$(command -v deno || true)
  [ -n "$deno" ] || { echo "compile.sh: run 'npm ci' first (deno comes from npm)" >&2; exit 1; }
  local out=dist/cairn-deno${target:+-$target}
  [[ "$target" == *windows* ]] && out="$out.exe"
  mkdir -p dist
  local log
  log=$(mktemp)
  # The same permissions and flags as `deno task start`; the workers are loaded by URL,
  # so it is named for inclusion. tsc is the project's type checker, against Bun's types.
  if ! NO_COLOR=1 DENO_NO_UPDATE_CHECK=1 "$deno" compile --no-check --quiet \
    --allow-read --allow-write --allow-net --allow-env --allow-sys --unstable-no-legacy-abort \
    --include src/play/_password_worker.ts --include src/store/_check_worker.ts \
    --include src/store/_commit_worker.ts ${target:+--target "$target"} \
    --output "$out" src/main.ts >"$log" 2>&1; then
    if grep -q "denort\|dl\.deno\.land\|error sending request\|dns error" "$log"; then
      echo "compile.sh: deno compile cannot download its runtime (denort) from dl.deno.land; build on a host with internet, or set DENORT_BIN to a denort binary for the target" >&2
    else
      echo "compile.sh: deno compile failed: $(grep -m1 -i "error" "$log" | sed 's/^error: //')" >&2
    fi
    rm -f "$log" "$out".tmp-*
    exit 1
  fi
  rm -f "$log"
  local size
  size=$(stat -c %s "$out")
  echo "$out: $((size / 1024 / 1024)) MiB"
}

case "${1:-}" in
  --help | -h) usage; exit 0 ;;
  --deno) shift; compile_deno "$@"; exit 0 ;;
esac

bun=./node_modules/.bin/bun
[ -x "$bun" ] || { echo "compile.sh: run 'npm ci' first (bun comes from npm)" >&2; exit 1; }
mkdir -p dist
# The integrity check's and the commit thread's workers are entry points of their own: a
# compiled binary holds only what is named. `--bytecode` embeds JavaScriptCore's bytecode, so that
# a start (twice for `serve`, which restarts itself: src/runtime.ts) does not parse the bundle; ESM,
# because main.ts awaits at its top level. Another Bun ignores the bytecode and parses the source.
"$bun" build src/main.ts src/store/_check_worker.ts src/store/_commit_worker.ts --compile --minify \
  --bytecode --format=esm --outfile dist/cairn "$@" >/dev/null
size=$(stat -c %s dist/cairn)
echo "dist/cairn: $((size / 1024 / 1024)) MiB"
