"""Runs a command under the system-call filter a systemd unit asks for.

Usage: python3 _seccomp.py UNIT COMMAND [ARGS...]

It reads the unit's SystemCallFilter= lines (an allow list, then `~` deny
lists) and SystemCallErrorNumber=, expands the @groups as the installed
systemd defines them (`systemd-analyze syscall-filter`), loads that filter
with libseccomp, and execs COMMAND. Needs Debian's python3-seccomp.
"""
import errno
import os
import subprocess
import sys

import seccomp

unit, command = sys.argv[1], sys.argv[2:]

groups, current = {}, None
listing = subprocess.run(
    ["systemd-analyze", "syscall-filter", "--no-pager"], capture_output=True, text=True, check=True
).stdout
for line in listing.splitlines():
    item = line.strip()
    if not item or item.startswith("#"):
        continue
    if line.startswith("@"):
        current = item
        groups[current] = []
    elif current is not None:
        groups[current].append(item)


def expand(names, seen):
    calls = set()
    for name in names:
        if not name.startswith("@"):
            calls.add(name)
        elif name not in seen:
            seen.add(name)
            calls |= expand(groups[name], seen)
    return calls


allow, deny, error = set(), set(), errno.EPERM
for line in open(unit):
    key, _, value = line.strip().partition("=")
    if key == "SystemCallFilter":
        if value.startswith("~"):
            deny |= expand(value[1:].split(), set())
        else:
            allow |= expand(value.split(), set())
    elif key == "SystemCallErrorNumber":
        error = getattr(errno, value)

rules = seccomp.SyscallFilter(defaction=seccomp.ERRNO(error))
for name in sorted(allow - deny):
    try:
        rules.add_rule(seccomp.ALLOW, name)
    except (RuntimeError, ValueError):
        pass  # A name this kernel or architecture does not have.
rules.load()
os.execv(command[0], command)
