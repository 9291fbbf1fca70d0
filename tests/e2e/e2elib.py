"""What the Python end-to-end scripts of tests/e2e share: one ok/FAIL line per check with the counts
(`check`, `summary`), a solo replay of a trace on the ideal replay GPU (`solo_run`:
tests/e2e/scenarios/gpus/replay.cfg, speed 1, no switch or trap cost, more channels than any capture
overlaps), the command lines of a native trace (`trace_commands`), and a GPU profile ready for a
fit-speed fragment (`without_kernels`), and a CSV's rows checked against its header (`csv_rows`)."""
import csv
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
counts = {"passed": 0, "failed": 0}


def check(what, fn):
    """Run fn; print 'ok   - what' or 'FAIL - what: why' (an assertion or a failed run)."""
    try:
        fn()
        counts["passed"] += 1
        print(f"ok   - {what}")
    except Exception as e:
        counts["failed"] += 1
        print(f"FAIL - {what}: {e}")


def summary(name):
    """Print 'NAME: N passed, N failed' and exit 1 when a check failed."""
    print(f"{name}: {counts['passed']} passed, {counts['failed']} failed")
    sys.exit(1 if counts["failed"] else 0)


def solo_run(vgpusim, work, name, trace, workload="", sets=(), duration_s=3600.0):
    """Replay `trace` alone (loop = false) under fifo on the ideal replay GPU with --commands; `workload`
    is added to its workload group, `sets` are --set overrides.  The results directory."""
    cfg, out = os.path.join(work, f"{name}.cfg"), os.path.join(work, f"{name}-out")
    link = os.path.join(work, "gpus")
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(link):
        os.symlink(os.path.join(ROOT, "tests/e2e/scenarios/gpus"), link)
    with open(cfg, "w") as f:
        f.write(f"""simulation = {{ duration_s = {duration_s}; warmup_s = 0.0; seed = 1; }};
gpus = ( {{
@include "gpus/replay.cfg"
}} );
scheduler = {{ policy = "fifo"; domain = "engine"; }};
vgpus = ( {{ name = "solo"; queue_depth = 1000000;
            workload = {{ trace = "{trace}"; loop = false; {workload}}}; }} );
""")
    args = [vgpusim, "run", cfg, "-o", out, "-q", "--commands"]
    for s in sets:
        args += ["--set", s]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{os.path.basename(trace)}: exited {r.returncode}: {r.stderr.strip()}")
    return out


def trace_commands(path):
    """The commands of a native trace (docs/trace-format.md), in file order: a dict of its columns by
    header name, plus its key=value attributes under "attrs"."""
    out, header = [], None
    with open(path) as f:
        for line in f:
            # comments, metadata and memory lines carry no command
            if line.startswith(("#", "@", "m ", "m\t")) or not line.strip():
                continue
            cols = line.split()
            if header is None:
                header = cols
                continue
            r = dict(zip(header, cols))
            r["attrs"] = dict(c.split("=", 1) for c in cols[len(header):])
            out.append(r)
    return out


def without_kernels(profile_text):
    """A GPU profile's text without its `kernels` group and `host_speed`, for a fit-speed fragment to
    take their place (a libconfig group holds each key once)."""
    out, skip = [], False
    for line in profile_text.splitlines(keepends=True):
        if line.startswith("kernels = {"):
            skip = True
        elif not skip and not line.startswith("host_speed ="):
            out.append(line)
        elif skip and line.startswith("};"):
            skip = False
    return "".join(out)


def csv_rows(path):
    """A CSV's rows as dicts; each must have exactly the header's fields."""
    with open(path, newline="") as f:
        out = list(csv.DictReader(f))
    for i, r in enumerate(out):
        if None in r or None in r.values():
            raise AssertionError(f"{os.path.basename(path)}:{i + 2}: not as many fields as the header")
    return out
