#!/usr/bin/env python3
"""Check a `vgpusim compare` directory: report.md's tables against the runs' own files.

    check_report.py DIR [EXPECTED_POLICIES]

Every number in report.md's per-policy, per-tenant and solo tables must equal, at its printed
precision, the value recomputed here from DIR/<policy>/summary.json, tenants.csv and engines.csv and
DIR/solo/<group>/tenants.csv (slowdown: from the formula of docs/metrics.md, independently of
compare.csv, which must agree too).  compare.csv must have one row per policy x tenant.  Runs marked
incomplete in report.md must be exactly those with complete=0 in compare.csv, and have no results.
compare.csv's loss, saturation and unit-interval columns are recomputed from the runs' tenants.csv and
units.csv, and the per-policy Jain over saturated tenants, worst interval p99 and the loss table from
them.  The "who wins" claims for Jain's index (over saturated tenants) and worst p99 must name the best
complete runs.
EXPECTED_POLICIES (comma-separated run names) fixes the order of the policies.
Prints what differs and exits 1, or exits 0.
"""
import csv
import json
import math
import os
import re
import sys

errors = []


def err(msg):
    errors.append(msg)


def fmt(v, dec):
    """The report's format: fixed decimals, '-' when undefined, 'inf' for infinity."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    s = "%.*f" % (dec, v)
    if s.startswith("-") and set(s[1:]) <= set("0."):
        s = s[1:]
    return s


def num(s):
    return float(s) if s not in ("", None) else float("nan")


def tables(md):
    """{section title: [table rows as lists of cells]} for every '## ' section's first table."""
    out, section, rows = {}, None, None
    for line in md.splitlines():
        if line.startswith("## "):
            section, rows = line[3:].strip(), None
            continue
        if line.startswith("|") and section:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if section not in out:
                out[section] = []
                rows = out[section]
            if rows is out.get(section) and not set("".join(cells)) <= set("-: "):
                rows.append(cells)
    return out


def run_name(cell):
    return cell.split(" (incomplete:")[0]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    d = sys.argv[1]
    expected = sys.argv[2].split(",") if len(sys.argv) > 2 else None
    md = open(os.path.join(d, "report.md")).read()
    t = tables(md)
    cmp = read_csv(os.path.join(d, "compare.csv"))
    policies = []
    for r in cmp:
        if r["policy"] not in policies:
            policies.append(r["policy"])
    if expected and policies != expected:
        err("compare.csv policies %s, expected %s" % (policies, expected))
    complete = {p: all(r["complete"] == "1" for r in cmp if r["policy"] == p) for p in policies}
    tenants = [r["tenant"] for r in cmp if r["policy"] == policies[0]]
    if len(cmp) != len(policies) * len(tenants):
        err("compare.csv: %d rows, expected %d policies x %d tenants" % (len(cmp), len(policies), len(tenants)))

    # Each complete run's own files; solo baselines per group.
    runs = {}
    for p in policies:
        if not complete[p]:
            if os.path.exists(os.path.join(d, p, "summary.json")):
                err("%s: marked incomplete in compare.csv but has results" % p)
            continue
        rd = os.path.join(d, p)
        runs[p] = {
            "summary": json.load(open(os.path.join(rd, "summary.json"))),
            "tenants": {r["tenant"]: r for r in read_csv(os.path.join(rd, "tenants.csv"))},
            "engines": read_csv(os.path.join(rd, "engines.csv")),
        }
    for p, run in runs.items():
        if list(run["tenants"]) != tenants:
            err("%s: tenants.csv has %s, compare.csv %s" % (p, list(run["tenants"]), tenants))
    solo = {}
    for r in cmp:
        g = r["group"]
        path = os.path.join(d, "solo", g, "tenants.csv")
        if g not in solo and os.path.exists(path):
            rows = read_csv(path)
            solo[g] = rows[0] if len(rows) == 1 else None

    def slowdown(p, name):
        row = runs[p]["tenants"][name]
        s = solo.get(row["group"])
        if not s:
            return float("nan"), float("nan"), float("nan")
        sr, r, sp, lp = num(s["unit_rate_per_s"]), num(row["unit_rate_per_s"]), num(s["lat_p50_ms"]), num(row["lat_p50_ms"])
        by_rate = float("nan")
        if not math.isnan(sr) and not math.isnan(r) and sr > 0:
            by_rate = sr / r if r > 0 else float("inf")
        by_lat = lp / sp if not math.isnan(sp) and not math.isnan(lp) and sp > 0 else float("nan")
        demand = not math.isnan(num(row["sla_rate_per_s"]))
        return (by_lat if demand else by_rate), by_rate, by_lat

    duration = {p: float(runs[p]["summary"]["duration_s"]) for p in runs}

    def derived(p, name):
        """saturated, rate loss %, encode loss % of tenant `name` under run p (docs/metrics.md)."""
        row = runs[p]["tenants"][name]
        s = solo.get(row["group"])
        sr = num(s["unit_rate_per_s"]) if s else float("nan")
        r = num(row["unit_rate_per_s"])
        sat = not math.isnan(sr) and sr > 0 and r < 0.99 * sr - 1 / duration[p]
        loss = 100 * (1 - r / sr) if not math.isnan(sr) and sr > 0 else float("nan")
        sv, v = (num(s["busy_venc_ms"]) if s else float("nan")), num(row["busy_venc_ms"])
        enc = 100 * (1 - v / sv) if not math.isnan(sv) and sv > 0 else float("nan")
        return sat, loss, enc

    def intervals(p, name):
        """Exact nearest-rank p50 and p99 of the tenant's unit intervals (units.csv), ms."""
        path = os.path.join(d, p, "units.csv")
        if not os.path.exists(path):
            return float("nan"), float("nan")
        last, iv = None, []
        for u in read_csv(path):
            if u["tenant"] != name:
                continue
            end = int(u["end_ns"])
            if last is not None and u["measured"] == "1":
                iv.append((end - last) / 1e6)
            last = end
        if not iv:
            return float("nan"), float("nan")
        iv.sort()
        q = lambda f: iv[min(len(iv), max(1, math.ceil(f * len(iv)))) - 1]
        return q(0.5), q(0.99)

    def jain_saturated(p):
        xs = []
        for name in tenants:
            row = runs[p]["tenants"][name]
            if derived(p, name)[0] and num(row["share_target"]) > 0:
                xs.append(num(row["share"]) / num(row["share_target"]))
        if not xs or sum(x * x for x in xs) == 0:
            return float("nan"), len(xs)
        return sum(xs) ** 2 / (len(xs) * sum(x * x for x in xs)), len(xs)

    # compare.csv agrees with the runs and the formula.
    for r in cmp:
        p, name = r["policy"], r["tenant"]
        if not complete[p]:
            continue
        own = runs[p]["tenants"].get(name)
        if own is None:
            err("compare.csv: %s/%s not in its tenants.csv" % (p, name))
            continue
        for k, v in own.items():
            if r.get(k) != v:
                err("compare.csv %s/%s: %s = %r, tenants.csv has %r" % (p, name, k, r.get(k), v))
        sat, loss, enc = derived(p, name)
        for col, v in list(zip(("slowdown", "slowdown_rate", "slowdown_latency"), slowdown(p, name))) + \
                [("loss_rate_pct", loss), ("loss_encode_pct", enc)]:
            got = num(r[col]) if r[col] not in ("inf", "-inf") else float(r[col])
            same = (math.isnan(got) and math.isnan(v)) or got == v or abs(got - v) <= 0.5e-6 + 1e-12
            if not same:  # compare.csv prints %.6f
                err("compare.csv %s/%s: %s = %s, expected %s" % (p, name, col, r[col], fmt(v, 6)))
        if r["saturated"] != ("1" if sat else "0"):
            err("compare.csv %s/%s: saturated = %r, expected %d" % (p, name, r["saturated"], sat))
        for col, v in zip(("interval_p50_ms", "interval_p99_ms"), intervals(p, name)):
            got = num(r[col])  # a histogram quantile: within 0.5 % of the exact one
            if not ((math.isnan(got) and math.isnan(v)) or abs(got - v) <= 0.006 * v):
                err("compare.csv %s/%s: %s = %s, exact %s" % (p, name, col, r[col], fmt(v, 6)))

    # Per policy.
    pol = t.get("Per policy", [])
    hdr, rows = pol[0], pol[1:]
    if [run_name(r[0]) for r in rows] != policies:
        err("per-policy table lists %s, compare.csv %s" % ([run_name(r[0]) for r in rows], policies))
    worst = {}
    for row in rows:
        p = run_name(row[0])
        cells = dict(zip(hdr, row))
        if "(incomplete:" in row[0]:
            if complete.get(p, True):
                err("%s marked incomplete in report.md but complete in compare.csv" % p)
            continue
        if not complete.get(p):
            err("%s incomplete in compare.csv but not marked in report.md" % p)
            continue
        g = runs[p]["summary"]["global"]
        want = {
            "Jain": fmt(g["jain_index"], 4),
            "utilisation %": fmt(100 * g["utilisation"], 2),
            "switch overhead %": fmt(g["switch_overhead_pct"], 3),
            "energy J": fmt(g["energy_j"], 2),
            "units": fmt(g["units"], 0),
            "deadline misses": fmt(g["deadline_misses"], 0),
        }
        for h in hdr:
            m = re.match(r"(\w+) %$", h)
            if m and m.group(1) != "utilisation" and h != "switch overhead %":
                us = [float(e["utilisation"]) for e in runs[p]["engines"] if e["class"] == m.group(1)]
                want[h] = fmt(100 * sum(us) / len(us), 2)
        ts = runs[p]["tenants"].values()
        slas = met = 0
        for tr in ts:
            for c in ("sla_rate_met", "sla_latency_met"):
                if tr[c] != "":
                    slas += 1
                    met += tr[c] == "1"
        want["SLAs met"] = "%d/%d" % (met, slas)
        lat_sla = [tr for tr in ts if tr["sla_latency_ms"] != ""] or list(ts)
        p99s = [(num(tr["lat_p99_ms"]), tr["tenant"]) for tr in lat_sla if tr["lat_p99_ms"] != ""]
        if p99s:  # the first tenant reaching the maximum, in scenario order
            m = max(v for v, _ in p99s)
            worst[p] = m
            want["worst p99 ms"] = "%s (%s)" % (fmt(m, 3), next(n for v, n in p99s if v == m))
        sd = [(slowdown(p, tr["tenant"])[0], tr["tenant"]) for tr in ts]
        sd = [x for x in sd if not math.isnan(x[0])]
        if sd:
            # the first tenant reaching the maximum, in scenario order
            m = max(x[0] for x in sd)
            want["worst slowdown"] = "%s (%s)" % (fmt(m, 2), next(n for v, n in sd if v == m))
        js, ns = jain_saturated(p)
        want["Jain saturated"] = "%s (%d)" % (fmt(js, 4), ns)
        cm = {r["tenant"]: r for r in cmp if r["policy"] == p}
        ivs = [(num(cm[tr["tenant"]]["interval_p99_ms"]), tr["tenant"]) for tr in lat_sla]
        ivs = [x for x in ivs if not math.isnan(x[0])]
        if ivs:
            m = max(v for v, _ in ivs)
            want["worst interval p99 ms"] = "%s (%s)" % (fmt(m, 3), next(n for v, n in ivs if v == m))
        for k, v in want.items():
            if cells.get(k) != v:
                err("per policy %s: %s = %r, expected %r" % (p, k, cells.get(k), v))

    # Per tenant.
    ten = t.get("Per tenant", [])
    hdr, rows = ten[0], ten[1:]
    if len(rows) != len(policies) * len(tenants):
        err("per-tenant table: %d rows, expected %d" % (len(rows), len(policies) * len(tenants)))
    for row in rows:
        cells = dict(zip(hdr, row))
        p, name = run_name(cells["policy"]), cells["tenant"]
        if "(incomplete:" in cells["policy"]:
            if complete.get(p, True) or any(v != "-" for k, v in cells.items() if k not in ("tenant", "policy")):
                err("per tenant %s/%s: incomplete row with numbers, or run complete" % (p, name))
            continue
        tr = runs[p]["tenants"][name]
        met = [tr[c] for c in ("sla_rate_met", "sla_latency_met") if tr[c] != ""]
        sd, br, bl = slowdown(p, name)
        want = {
            "unit": tr["unit"],
            "rate /s": fmt(num(tr["unit_rate_per_s"]), 2),
            "SLA /s": fmt(num(tr["sla_rate_per_s"]), 2),
            "p50 ms": fmt(num(tr["lat_p50_ms"]), 3),
            "p99 ms": fmt(num(tr["lat_p99_ms"]), 3),
            "SLA ms": fmt(num(tr["sla_latency_ms"]), 3),
            "interval p99 ms": fmt(num(next(r for r in cmp if r["policy"] == p and r["tenant"] == name)["interval_p99_ms"]), 3),
            "SLAs met": "%d/%d" % (met.count("1"), len(met)) if met else "-",
            "share %": fmt(100 * num(tr["share"]), 2),
            "target %": fmt(100 * num(tr["share_target"]), 2),
            "deadline misses": fmt(num(tr["deadline_misses"]), 0),
            "slowdown": fmt(sd, 2),
            "by rate": fmt(br, 2),
            "by p50": fmt(bl, 2),
        }
        for k, v in want.items():
            if cells.get(k) != v:
                err("per tenant %s/%s: %s = %r, expected %r" % (p, name, k, cells.get(k), v))

    # Solo baselines.
    for row in t.get("Solo baselines", [])[1:]:
        g = row[0].split(" (incomplete:")[0]
        s = solo.get(g)
        if s is None:
            if "(incomplete:" not in row[0]:
                err("solo %s: no results but not marked incomplete" % g)
            continue
        want = [s["tenant"], fmt(num(s["unit_rate_per_s"]), 2), fmt(num(s["lat_p50_ms"]), 3), fmt(num(s["lat_p99_ms"]), 3)]
        if row[1:] != want:
            err("solo %s: %s, expected %s" % (g, row[1:], want))

    # Virtualization loss: per class x policy, the means of compare.csv's columns over the class.
    for row in t.get("Virtualization loss vs. solo", [])[1:]:
        g, p = row[0], run_name(row[2])
        if p not in runs:
            continue
        mine = [r for r in cmp if r["policy"] == p and r["group"] == g]
        mean = lambda col: (lambda v: sum(v) / len(v) if v else float("nan"))(
            [num(r[col]) for r in mine if r[col] not in ("", "inf") and not math.isnan(num(r[col]))])
        want = [str(len(mine)), row[2], fmt(mean("loss_rate_pct"), 2), fmt(mean("loss_encode_pct"), 2),
                fmt(mean("interval_p99_ms"), 3), "%d/%d" % (sum(r["saturated"] == "1" for r in mine), len(mine))]
        if row[1:] != want:
            err("loss %s/%s: %s, expected %s" % (g, p, row[1:], want))

    # Who wins: Jain over saturated tenants (highest) and worst-tenant p99 (lowest) name the best runs.
    def winners(key, higher, dec):
        vals = {p: key(p) for p in runs}
        vals = {p: float(fmt(v, dec)) for p, v in vals.items() if v is not None and not math.isnan(v)}
        if not vals:
            return []
        best = (max if higher else min)(vals.values())
        return [p for p in policies if p in vals and vals[p] == best]

    for title, key, higher, dec in (
        ("Fairest", lambda p: jain_saturated(p)[0], True, 4),
        ("Best worst-tenant p99 latency", lambda p: worst.get(p), False, 3),
    ):
        line = next((l for l in md.splitlines() if l.startswith("- **" + title)), None)
        if line is None:
            err("who wins: no '%s' line" % title)
            continue
        named = line.split("**: ", 1)[1].split("; then")[0]
        got = re.findall(r"(?:^| and )([^ ]+) \(", named)
        want = winners(key, higher, dec)
        if got != want:
            err("who wins '%s': names %s, expected %s" % (title, got, want))

    for e in errors:
        print("check_report: " + e)
    print("check_report: %s: %d policies x %d tenants, %s" % (d, len(policies), len(tenants),
                                                            "ok" if not errors else "%d errors" % len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
