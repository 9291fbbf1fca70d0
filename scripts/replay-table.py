#!/usr/bin/env python3
"""Solo-replay error per capture, before and after a change: runs tests/e2e/replay_shared.py (every
capture in ../shared/traces and its FIXTURES) with two vgpusim binaries and prints a Markdown table of
capture, ops and the maximum error of each (an import that fails shows its message).

usage: scripts/replay-table.py OLD_VGPUSIM NEW_VGPUSIM [TRACE...]
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^(ok  |FAIL) - (.*?): (\d+) ops, max error (\d+) ns")
IMPORT = re.compile(r"^FAIL - import (\S+): (.*)$")


def run(binary, traces):
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run([sys.executable, "tests/e2e/replay_shared.py", os.path.abspath(binary), work, *traces],
                             cwd=ROOT, capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            got[m.group(2)] = (int(m.group(3)), f"{int(m.group(4)):,} ns")
            continue
        m = IMPORT.match(line)
        if m:
            got[os.path.relpath(m.group(1), ROOT)] = (None, "import fails: " + m.group(2).split(": ", 2)[-1][:60])
    return got


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    old, new = run(sys.argv[1], sys.argv[3:]), run(sys.argv[2], sys.argv[3:])
    print("| capture | ops (after) | max solo-replay error before | after |")
    print("|---|---|---|---|")
    for key in list(new) + [k for k in old if k not in new and not any(n.startswith(k + " [") for n in new)]:
        # an import that failed has no context: its message stands for every context of the other run
        b = old.get(key) or old.get(key.split(" [")[0], (None, "-"))
        a = new.get(key) or new.get(key.split(" [")[0], (None, "-"))
        ops = a[0] if a[0] is not None else b[0]
        note = f" ({b[0]} ops)" if b[0] is not None and a[0] is not None and b[0] != a[0] else ""
        print(f"| {key} | {ops if ops is not None else '-'} | {b[1]}{note} | {a[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
