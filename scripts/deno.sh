#!/bin/sh
# Runs Deno for `deno task`. The task runner runs every node_modules/.bin entry
# as a JavaScript file, and npm's `deno` package points its entry at the native
# binary, so `deno` inside a task would fail: call the binary by its path.
exe="$(dirname "$0")/../node_modules/deno/deno"
[ -x "$exe" ] || exe=deno
exec "$exe" "$@"
