#!/usr/bin/env python3
"""Check a `vgpusim compare --seeds N` directory: report.md's intervals against seeds.csv.

    check_seeds.py DIR [MIN_SIGNIFICANT]

Every "mean ± half" cell of report.md's "Per policy" and "Per class: G" tables must be the mean of
that number over the seeds in seeds.csv and the half-width of its 95 % Student-t interval, at the
printed precision; every line of "Significant differences" must name a pair whose paired interval
(per-seed differences, t with n - 1 degrees of freedom) excludes 0, with that interval; and the report
must list at least MIN_SIGNIFICANT (default 0) such differences.  The t quantiles are computed here
independently of the C code (numerical integration of Student's density).
Prints what differs and exits 1, or exits 0.
"""
import csv
import math
import os
import re
import sys

errors = []


def t_pdf(x, df):
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def t_quantile(p, df):
    """Bisection on the CDF, itself Simpson's rule on the density from 0."""
    def cdf(x, n=4000):
        h = x / n
        s = t_pdf(0, df) + t_pdf(x, df) + sum((4 if i % 2 else 2) * t_pdf(i * h, df) for i in range(1, n))
        return 0.5 + s * h / 3
    lo, hi = 0.0, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return (lo + hi) / 2


T = {}


def ci(xs):
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    n = len(xs)
    if n == 0:
        return None, None
    m = sum(xs) / n
    if n < 2:
        return m, None
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    if n - 1 not in T:
        T[n - 1] = t_quantile(0.975, n - 1)
    return m, T[n - 1] * sd / math.sqrt(n)


def fmt(v, dec):
    s = "%.*f" % (dec, v)
    return s[1:] if s.startswith("-") and set(s[1:]) <= set("0.") else s


def cell(m, h, dec):
    if m is None:
        return "-"
    return fmt(m, dec) if h is None else "%s ± %s" % (fmt(m, dec), fmt(h, dec))


def main():
    d = sys.argv[1]
    need = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    vals = {}
    for r in csv.DictReader(open(os.path.join(d, "seeds.csv"))):
        v = float(r["value"]) if r["value"] != "" else None
        vals.setdefault((r["metric"], r["group"], r["policy"]), {})[int(r["seed"])] = v
    md = open(os.path.join(d, "report.md")).read()
    # metric label -> (key, decimals): the order of the rows is the metrics' order in seeds.csv
    keys = []
    for (m, g, p) in vals:
        if (m, g == "") not in keys:
            keys.append((m, g == ""))
    section, header, rows_seen = None, None, 0
    row_keys = {}
    for line in md.splitlines():
        if line.startswith("## "):
            section, header = line[3:], None
            order = [k for k, glob in keys if glob == (section == "Per policy")]
            row_keys = {"order": order, "i": 0}
            continue
        if not section or not (section == "Per policy" or section.startswith("Per class: ")) or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        group = "" if section == "Per policy" else section[len("Per class: "):]
        key = row_keys["order"][row_keys["i"]]
        row_keys["i"] += 1
        for pol, got in zip(header[1:], cells[1:]):
            by_seed = vals.get((key, group, pol))
            if by_seed is None:
                errors.append("%s / %s / %s: not in seeds.csv" % (section, key, pol))
                continue
            m = re.match(r"(-?[0-9.]+)", got)
            dec = len(m.group(1).split(".")[1]) if m and "." in m.group(1) else 0
            want = cell(*ci(list(by_seed.values())), dec)
            unit = got[len(want):] if got.startswith(want) else None
            if unit is None or (unit and not re.fullmatch(r"( ms| %| J| /s|x)", unit)):
                errors.append("%s / %s / %s: report %r, seeds.csv gives %r" % (section, key, pol, got, want))
            rows_seen += 1
    if rows_seen == 0:
        errors.append("no table read from report.md")
    # Significant differences: each named pair's paired interval excludes 0 and is the one printed.
    sig = re.search(r"## Significant differences\n\n.*?\n\n(.*?)\n\n", md, re.S)
    lines = [l for l in (sig.group(1).splitlines() if sig else []) if l.startswith("- **")]
    if need and (not lines or lines[0].startswith("- none")):
        errors.append("no significant difference named, at least %d expected" % need)
    labels = {}
    for line in md.splitlines():
        m = re.match(r"- \*\*(.+?)\*\* \((higher|lower) is better\)", line)
        if m:
            labels[m.group(1)] = True
    count = 0
    for line in lines:
        m = re.match(r"- \*\*(.+?)\*\*: (\S+) \((.+?)\) is (higher|lower) than (\S+) \((.+?)\), by ([0-9.]+) ± ([0-9.]+)", line)
        if not m:
            if not line.startswith("- none"):
                errors.append("unreadable line: %s" % line)
            continue
        title, best, other = m.group(1), m.group(2), m.group(5)
        group = title.split(", class ")[1] if ", class " in title else ""
        cand = [k for (k, g, p) in vals if g == group and p == best]
        found = False
        for key in dict.fromkeys(cand):
            a, b = vals[(key, group, other)], vals[(key, group, best)]
            diffs = [a[s] - b[s] for s in sorted(a) if a[s] is not None and b.get(s) is not None]
            mean, half = ci(diffs)
            dec = len(m.group(7).split(".")[1]) if "." in m.group(7) else 0
            if mean is None or half is None:
                continue
            if fmt(abs(mean), dec) == m.group(7) and fmt(half, dec) == m.group(8):
                found = True
                if not (abs(mean) > half or (half == 0 and mean != 0)):
                    errors.append("%s: %s vs %s is not significant (%g ± %g)" % (title, best, other, mean, half))
                break
        if not found:
            errors.append("significant difference not found in seeds.csv: %s" % line)
        count += 1
    for e in errors:
        print("check_seeds: " + e)
    print("check_seeds: %s: %d cells, %d significant differences, %s" % (d, rows_seen, count,
                                                                         "ok" if not errors else "%d errors" % len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
