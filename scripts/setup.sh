#!/bin/sh
# The machine setup the test suite needs, beside `npm ci`: `npm test` runs it
# first, and so does .ci/run. It checks for every outside tool a test calls,
# installs the missing ones with apt-get when it can (as root, or with sudo
# that needs no password), and otherwise stops at once with one line naming
# the Debian packages to install. With everything present it changes nothing.
#
#   sh scripts/setup.sh            what `npm test` needs
#   sh scripts/setup.sh --bench    also wrk and hey, for `npm run bench:load`
#
# CAIRN_SETUP=skip skips it (on a machine without Debian's packages, where only
# some tests can run: `CAIRN_SETUP=skip npm test -- test/rules`).
set -eu

[ "${CAIRN_SETUP:-}" = skip ] && exit 0

# Each check is a Debian package and a command that succeeds when its tool is there.
missing=""
need() {
  package=$1
  shift
  "$@" >/dev/null 2>&1 || missing="$missing $package"
}
has() { command -v "$1"; }
has_initdb() {
  for initdb in /usr/lib/postgresql/*/bin/initdb; do [ -x "$initdb" ] && return 0; done
  return 1
}

need prometheus has promtool            # test/metrics, test/e2e/ops_test.ts: promtool check metrics
need systemd has systemd-analyze        # test/e2e/ops_test.ts: verify and rate the unit
need procps test -x /bin/kill           # test/e2e/ops_test.ts: the unit's ExecReload
need gcc has cc                         # test/bench: the SSE load tool's C client and floor server
need python3-seccomp /usr/bin/python3 -c 'import seccomp' # test/e2e/ops_test.ts: the unit's filter
need chromium test -x /usr/bin/chromium # test/e2e/browser_test.ts
# test/cluster: a throwaway PostgreSQL server (initdb and pg_ctl live outside PATH on Debian)
need postgresql has_initdb
need nginx test -x /usr/sbin/nginx      # test/e2e/cluster_deploy_test.ts: deploy/nginx-cluster.conf
need strace has strace                  # test/cli/write_test.ts: the folder synced after a rename
need unzip has unzip                    # test/http/export_files_test.ts: the files' zip checked
if [ "${1:-}" = --bench ]; then
  need wrk has wrk # bench/load/run.ts, bench/sse_board.ts
  need hey has hey # bench/load/run.ts
fi
[ -z "$missing" ] && exit 0

# Install them where this user may; anything else is one line and a stop.
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then sudo="sudo -n"; fi
fi
stop() {
  echo "setup: missing Debian packages; install them with: sudo apt-get install -y$missing" >&2
  exit 1
}
if ! command -v apt-get >/dev/null 2>&1; then stop; fi
if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then stop; fi

echo "setup: installing$missing with apt-get" >&2
apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@" >/dev/null; }
# Chromium is installed with its recommended packages (the fonts the browser test's
# screenshots use); the servers' packages without theirs (no exporters or services).
plain=$(echo "$missing" | sed 's/ chromium//')
apt update || stop
if [ -n "$plain" ]; then
  # shellcheck disable=SC2086 # a list of package names
  apt install -y --no-install-recommends $plain || stop
fi
if [ "$plain" != "$missing" ]; then apt install -y chromium || stop; fi
