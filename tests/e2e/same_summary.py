#!/usr/bin/env python3
"""Compare two summary.json files field by field, ignoring wall-clock fields (names starting with
'wall' or ending in 'per_wall_s'), how the run was split (shards, shards_why: docs/simulator.md,
"Shards") and whether its captures came from the import cache (import_cache: docs/traces.md).  Prints the first differences; exit 1 if any."""
import json
import sys


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k.startswith("wall") or k.endswith("per_wall_s") or k in ("shards", "shards_why", "import_cache"):
                continue
            if k not in a or k not in b:
                out.append(f"{path}.{k}: present in one file only")
            else:
                walk(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} vs {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")


with open(sys.argv[1]) as f1, open(sys.argv[2]) as f2:
    diffs = []
    walk(json.load(f1), json.load(f2), "", diffs)
for d in diffs[:20]:
    print(d)
sys.exit(1 if diffs else 0)
